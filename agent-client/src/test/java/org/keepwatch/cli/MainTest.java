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

    @Test
    void badCommandLinesGetUsage() {
        assertThat(run().status()).isEqualTo(Command.USAGE);
        assertThat(run("frobnicate").err()).contains("unknown command");
        assertThat(run("lint").err()).contains("usage: keepwatch lint");
        assertThat(run("lint", "/nonexistent/kwt.conf").status()).isEqualTo(2);
    }
}
