package org.keepwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private static final String CONF = """
        vrrp_instance VI_1 {
            state BACKUP    # keep
            interface eth0
            virtual_router_id 51
            priority 100
            virtual_ipaddress {
                10.0.0.1/24
            }
        }
        """;

    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void lintExitCodesFollowTheWorstFinding(@TempDir Path dir) throws Exception {
        Path clean = Files.writeString(dir.resolve("clean.conf"), CONF);
        Path warn = Files.writeString(dir.resolve("warn.conf"), CONF.replace("priority 100", "priority 100\n    priority 90"));
        Path bad = Files.writeString(dir.resolve("bad.conf"), CONF.replace("priority 100", "prority 100"));
        assertThat(run("lint", clean.toString()).status()).isZero();
        assertThat(run("lint", warn.toString()).status()).isEqualTo(1);
        Result error = run("lint", clean.toString(), bad.toString());
        assertThat(error.status()).isEqualTo(2);
        assertThat(error.out()).contains(bad + ":5:5: error: unknown keyword 'prority'").contains("did you mean 'priority'");
    }

    @Test
    void lintJsonIsMachineReadable(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.conf"), CONF.replace("priority 100", "prority 100"));
        Result result = run("lint", "--json", "--config-id", "lb1", bad.toString());
        JsonNode json = new ObjectMapper().readTree(result.out());
        assertThat(json.get("configId").asText()).isEqualTo("lb1");
        JsonNode d = json.get("files").get(0).get("diagnostics").get(0);
        assertThat(d.get("line").asInt()).isEqualTo(5);
        assertThat(d.get("code").asText()).isEqualTo("unknown-keyword");
        assertThat(d.get("suggestion").asText()).isEqualTo("priority");
    }

    @Test
    void lintChecksAgainstTheKeepalivedVersionGiven(@TempDir Path dir) throws Exception {
        // mcast_dst_ip came with keepalived 2.2: 2.1.5's parser answers "Unknown keyword" for it
        Path file = Files.writeString(dir.resolve("mcast.conf"), CONF.replace("priority 100", "priority 100\n    mcast_dst_ip 224.0.0.19"));
        assertThat(run("lint", file.toString()).status()).isZero();
        assertThat(run("lint", "--keepalived", "2.2.7", file.toString()).status()).isZero();
        Result old = run("lint", "--json", "--keepalived", "2.1.5", file.toString());
        assertThat(old.status()).isEqualTo(2);
        JsonNode json = new ObjectMapper().readTree(old.out());
        assertThat(json.get("keepalived").asText()).isEqualTo("2.1.5");
        assertThat(json.get("files").get(0).get("diagnostics").get(0).get("message").asText())
            .contains("keepalived 2.1.5 does not know 'mcast_dst_ip'");
        Result wrong = run("lint", "--keepalived", "latest", file.toString());
        assertThat(wrong.status()).isNotZero();
        assertThat(wrong.err()).contains("--keepalived takes a version");
    }

    @Test
    void editPrintsOrWritesOnlyTheTouchedLines(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("keepalived.conf"), CONF);
        Result printed = run("edit", file.toString(), "--set", "vrrp_instance VI_1 priority 120",
            "--add", "vrrp_instance VI_1 virtual_ipaddress 10.0.0.2/24");
        assertThat(printed.status()).isZero();
        assertThat(printed.out()).isEqualTo(CONF.replace("priority 100", "priority 120")
            .replace("10.0.0.1/24\n", "10.0.0.1/24\n        10.0.0.2/24\n"));
        assertThat(Files.readString(file)).isEqualTo(CONF);
        assertThat(run("edit", file.toString(), "--set", "vrrp_instance VI_1 priority 120", "--in-place").status()).isZero();
        assertThat(Files.readString(file)).isEqualTo(CONF.replace("priority 100", "priority 120"));
        Result failed = run("edit", file.toString(), "--set", "vrrp_instance NOPE priority 1");
        assertThat(failed.status()).isEqualTo(2);
        assertThat(failed.err()).contains("NOPE");
    }

    @Test
    void showJsonGivesTheEffectiveInstances(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("keepalived.conf"), CONF.replace("    priority 100\n", "@a priority 200\n@^a priority 50\n"));
        JsonNode json = new ObjectMapper().readTree(run("show", "--json", "--config-id", "a", file.toString()).out());
        JsonNode instance = json.get("instances").get(0);
        assertThat(instance.get("name").asText()).isEqualTo("VI_1");
        assertThat(instance.get("priority").asInt()).isEqualTo(200);
        assertThat(instance.get("virtualIpAddresses").get(0).get("cidr").asText()).isEqualTo("10.0.0.1/24");
        assertThat(instance.get("line").asInt()).isEqualTo(1);
        JsonNode other = new ObjectMapper().readTree(run("show", "--json", "--config-id", "b", file.toString()).out());
        assertThat(other.get("instances").get(0).get("priority").asInt()).isEqualTo(50);
    }

    /** The lab's router on node N: priority 200 - 50 * N, so no two members tie. */
    private static String peer(int node) {
        return CONF.replace("priority 100", "priority " + (200 - 50 * node));
    }

    @Test
    void peersLintsEachMemberAndReportsDriftBetweenThem(@TempDir Path dir) throws Exception {
        Path n1 = Files.writeString(dir.resolve("n1.conf"), peer(1));
        Path n2 = Files.writeString(dir.resolve("n2.conf"), peer(2));
        Result clean = run("peers", "n1=" + n1, "n2=" + n2);
        assertThat(clean.status()).isZero();
        assertThat(clean.out()).contains("router VI_1 (VRID 51): n1 VI_1, n2 VI_1")
            .contains("peers: 2 member(s), 1 router(s): 0 error(s), 0 warning(s)");
        Files.writeString(n2, peer(2).replace("10.0.0.1/24\n", "10.0.0.1/24\n        10.0.0.5/24\n"));
        Result drift = run("peers", "n1=" + n1, "n2=" + n2);
        assertThat(drift.status()).isEqualTo(2);
        assertThat(drift.out()).contains("n2: " + n2 + ":8:9: error: (VI_1) n2 has 10.0.0.5/24 in virtual_ipaddress that n1 lacks")
            .contains("[peer-vip-drift]");
        Files.writeString(n2, peer(1));
        Result tie = run("peers", n1.toString(), n2.toString());
        assertThat(tie.status()).isEqualTo(1);
        assertThat(tie.out()).contains(n2 + ":5:5: warning: (VI_1) " + n2 + " has priority 150 like " + n1);
    }

    @Test
    void peersCountsLintFindingsTooAndGivesJson(@TempDir Path dir) throws Exception {
        Path n1 = Files.writeString(dir.resolve("n1.conf"), peer(1).replace("state BACKUP", "stat BACKUP"));
        Path n2 = Files.writeString(dir.resolve("n2.conf"), peer(2).replace("10.0.0.1/24", "10.0.0.1/24 label eth0:1"));
        Result result = run("peers", "--json", "n1=" + n1, "n2=" + n2);
        assertThat(result.status()).isEqualTo(2);
        JsonNode json = new ObjectMapper().readTree(result.out());
        assertThat(json.get("verdict").asText()).isEqualTo("errors");
        assertThat(json.get("members").get(0).get("name").asText()).isEqualTo("n1");
        assertThat(json.get("members").get(0).get("configId").asText()).isEqualTo("n1");
        assertThat(json.get("members").get(0).get("diagnostics").get(0).get("code").asText()).isEqualTo("unknown-keyword");
        assertThat(json.get("routers").get(0).get("vrid").asInt()).isEqualTo(51);
        assertThat(json.get("routers").get(0).get("members").get(1).get("member").asText()).isEqualTo("n2");
        JsonNode peers = json.get("peers");
        assertThat(peers.get("verdict").asText()).isEqualTo("warnings");
        assertThat(peers.get("diagnostics").get(0).get("member").asText()).isEqualTo("n1"); // a pair: both sides are told
        JsonNode finding = peers.get("diagnostics").get(1);
        assertThat(finding.get("message").asText()).contains("n2 gives 10.0.0.1/24 (virtual_ipaddress) label eth0:1 but n1 has no label");
        assertThat(finding.get("member").asText()).isEqualTo("n2");
        assertThat(finding.get("router").asText()).isEqualTo("VI_1 (VRID 51)");
        assertThat(finding.get("file").asText()).isEqualTo(n2.toString());
        assertThat(finding.get("line").asInt()).isEqualTo(7);
        assertThat(finding.get("code").asText()).isEqualTo("peer-vip-detail-drift");
    }

    @Test
    void peersUsesEachMembersNameAsItsConfigId(@TempDir Path dir) throws Exception {
        Path shared = Files.writeString(dir.resolve("keepalived.conf"), CONF.replace("    priority 100\n", "@lb1 priority 150\n@lb2 priority 100\n"));
        assertThat(run("peers", "lb1=" + shared, "lb2=" + shared).status()).isZero();
        Result sameId = run("peers", "--config-id", "lb1", shared.toString(), dir.resolve(".").resolve("keepalived.conf").toString());
        assertThat(sameId.status()).isEqualTo(1);
        assertThat(sameId.out()).contains("peer-equal-priority");
    }

    @Test
    void badCommandLinesGetUsage() {
        assertThat(run().status()).isEqualTo(Command.USAGE);
        assertThat(run("frobnicate").err()).contains("unknown command");
        assertThat(run("lint").err()).contains("usage: keepwatch lint");
        assertThat(run("lint", "/nonexistent/kwt.conf").status()).isEqualTo(2);
        assertThat(run("peers", "n1=/a.conf").err()).contains("at least two members").contains("usage: keepwatch peers");
        assertThat(run("peers", "n1=/a.conf", "n1=/b.conf").err()).contains("member n1 given twice");
        assertThat(run("peers", "n1=/nonexistent/a.conf", "n2=/nonexistent/b.conf").status()).isEqualTo(2);
    }
}
