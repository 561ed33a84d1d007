package org.keepwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.agent.Operator;
import org.keepwatch.fleet.FleetAction;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.MutableClock;
import org.keepwatch.fleet.Observations;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.history.HistoryEvent;
import org.keepwatch.history.HistorySettings;
import org.keepwatch.history.HistoryStore;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** keepwatch history and keepwatch report on a history with a failover, a push and a hand edit in it. */
class HistoryReportCommandTest {

    @TempDir
    Path dir;
    private Path file;
    private final MutableClock clock = new MutableClock(); // starts 2026-11-26T10:00:00Z
    private Clock now;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void aNightWithAFailover() {
        file = dir.resolve("history.db");
        try (HistoryStore store = HistoryStore.openNow(HistorySettings.of(file.toString()), clock)) {
            FleetState fleet = new FleetState(clock, FleetSettings.DEFAULTS, store);
            fleet.addNode("n1", "lab");
            fleet.addNode("n2", "lab");
            fleet.nodeStatus(Observations.online("n1"));
            fleet.nodeStatus(Observations.online("n2"));
            fleet.applyInstance(Observations.instance("n1", "VI_1", 51, VrrpState.MASTER, 150), "snapshot");
            fleet.applyInstance(Observations.instance("n2", "VI_1", 51, VrrpState.BACKUP, 100), "snapshot");
            fleet.applyInstance(Observations.instance("n1", "VI_2", 52, VrrpState.MASTER, 150), "snapshot");
            store.configRead("n2", files("vrrp_instance VI_1 {\n  priority 100\n}\n"));
            clock.advance(Duration.ofHours(3)); // 13:00
            fleet.applyInstance(Observations.instance("n1", "VI_1", 51, VrrpState.FAULT, 150), "vrrp");
            fleet.applyInstance(Observations.instance("n2", "VI_1", 51, VrrpState.MASTER, 100), "vrrp");
            clock.advance(Duration.ofMinutes(5));
            store.action(new FleetAction(clock.instant(), FleetAction.Kind.PUSH, "n2", "keepalived", Optional.empty(),
                    new Operator("alice", "desk-7"), "pushed /etc/keepalived/keepalived.conf", "<script>alert(1)</script>",
                    "-  priority 100\n+  priority 120", List.of("write: ok"), true, "applied", List.of()));
            clock.advance(Duration.ofMinutes(5));
            store.configRead("n2", files("vrrp_instance VI_1 {\n  priority 99\n}\n"));
            assertThat(store.flush(Duration.ofSeconds(10))).isTrue();
        }
        now = Clock.fixed(clock.instant().plus(Duration.ofMinutes(1)), ZoneOffset.UTC);
    }

    private int history(String... args) {
        return new HistoryCommand(now).run(withHistory(args), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private int report(String... args) {
        return new ReportCommand(now).run(withHistory(args), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private List<String> withHistory(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--history", file.toString()));
        return all;
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void historyFiltersByRouterNodeKindAndTimeRelativeOrIso() {
        assertThat(history("--since", "30m", "--router", "51")).isZero();
        assertThat(output()).contains("n1 VI_1 (VRID 51 (lab)) MASTER → FAULT (vrrp)", "n2 VI_1 (VRID 51 (lab)) BACKUP → MASTER")
                .doesNotContain("VI_2").doesNotContain("snapshot");
        out.reset();
        assertThat(history("--since", "2026-11-26T10:00:00Z", "--until", "2026-11-26T11:00", "--node", "n1")).isZero();
        assertThat(output()).contains("n1 VI_1", "n1 VI_2", "n1 online").doesNotContain("n2 ").doesNotContain("FAULT");
        out.reset();
        assertThat(history("--since", "1d", "--kind", "hand-edit", "--detail")).isZero();
        assertThat(output()).contains("hand-edit", "/etc/keepalived/keepalived.conf on n2 (keepalived) changed outside Keepwatch",
                "-  priority 100", "+  priority 99");
    }

    @Test
    void historyAsOfAMomentShowsEachInstanceAsItWasThen() {
        assertThat(history("--as-of", "2026-11-26T12:59:00Z", "--router", "51")).isZero();
        assertThat(output()).contains("as of 2026-11-26 12:59:00.000").containsPattern("lab:51\\s+n1\\s+VI_1\\s+MASTER")
                .containsPattern("lab:51\\s+n2\\s+VI_1\\s+BACKUP").doesNotContain("VI_2");
        out.reset();
        assertThat(history("--as-of", "5m", "--node", "n1")).isZero();
        assertThat(output()).containsPattern("lab:51\\s+n1\\s+VI_1\\s+FAULT").containsPattern("lab:52\\s+n1\\s+VI_2\\s+MASTER")
                .doesNotContain(" n2 ");
    }

    @Test
    void historyPagesWithACursorAndSpeaksJson() throws Exception {
        assertThat(history("--since", "1d", "--limit", "3", "--json")).isZero();
        JsonNode first = new ObjectMapper().readTree(output());
        assertThat(first.path("events")).hasSize(3);
        String cursor = first.path("next").asText();
        out.reset();
        assertThat(history("--since", "1d", "--limit", "1000", "--after", cursor, "--json")).isZero();
        JsonNode rest = new ObjectMapper().readTree(output());
        assertThat(rest.path("next").isNull()).isTrue();
        assertThat(rest.path("events").get(0).path("id").asLong()).isGreaterThan(first.path("events").get(2).path("id").asLong());
        assertThat(rest.toString()).contains("\"operator\":\"alice@desk-7\"", "\"kind\":\"push\"");
    }

    @Test
    void badTimesKindsAndRangesAreRefusedSayingWhatIsAccepted() {
        assertThatThrownBy(() -> history("--since", "yesterday")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--since takes a time").hasMessageContaining("2h");
        assertThatThrownBy(() -> history("--kind", "failover")).hasMessageContaining("no kind of event 'failover'")
                .hasMessageContaining("transition");
        assertThatThrownBy(() -> history("--since", "1h", "--until", "2h")).hasMessageContaining("is not after --since");
        assertThatThrownBy(() -> report()).hasMessageContaining("--since is required");
        assertThatThrownBy(() -> report("--since", "1d", "--format", "pdf")).hasMessageContaining("md or html");
        // a history named that is not there is said so, not made empty
        Path typo = dir.resolve("histroy.db");
        assertThatThrownBy(() -> new HistoryCommand(now).run(List.of("--history", typo.toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err))).isInstanceOf(CommandFailure.class).hasMessageContaining("no history yet at " + typo);
        assertThat(typo).doesNotExist();
    }

    @Test
    void aMarkdownReportHasTheTimelineVerdictsTransitionsActionsAndConfigurationChanges() {
        assertThat(report("--since", "2026-11-26T12:00:00Z", "--router", "51")).isZero();
        String md = output();
        assertThat(md).startsWith("# Incident report: 2026-11-26 12:00:00 Z to 2026-11-26 13:11:00 Z")
                .contains("## At the start", "| lab:51 | n1 | VI_1 | MASTER |", "| lab:51 | n2 | VI_1 | BACKUP |")
                .contains("## Timeline", "MASTER → FAULT", "## Transitions", "## Verdicts", "## Alarms")
                .contains("## Actions taken", "alice@desk-7 pushed /etc/keepalived/keepalived.conf on n2", "By alice@desk-7.")
                .contains("## Configuration changes", "changed outside Keepwatch", "+  priority 99")
                .contains("## At the end", "| lab:51 | n1 | VI_1 | FAULT |", "| lab:51 | n2 | VI_1 | MASTER |")
                .doesNotContain("VI_2");
    }

    @Test
    void theCommandWritesUtf8UnderTheCLocaleWhereJavaWouldWriteQuestionMarks() throws Exception {
        assertThat(Main.outputCharset(StandardCharsets.US_ASCII)).isEqualTo(StandardCharsets.UTF_8);
        assertThat(Main.outputCharset(java.nio.charset.Charset.forName("ISO-8859-15"))).isEqualTo(java.nio.charset.Charset.forName("ISO-8859-15"));
        // the real command in a JVM of its own, as an operator's shell on a server with no locale starts it
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "org.keepwatch.cli.Main", "history", "--history", file.toString(),
                "--since", "2026-11-26T12:00:00Z", "--router", "51").redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().remove("LANG");
        builder.environment().keySet().removeIf(name -> name.startsWith("LC_"));
        builder.environment().put("LC_ALL", "C");
        Process process = builder.start();
        byte[] printed = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(new String(printed, StandardCharsets.UTF_8)).contains("n1 VI_1 (VRID 51 (lab)) MASTER → FAULT (vrrp)");
    }

    @Test
    void theSummaryCountsEachKindInWords() {
        ReportCommand.Report report = new ReportCommand.Report();
        java.time.Instant at = java.time.Instant.parse("2026-11-26T12:00:00Z");
        report.events.add(HistoryEvent.of(at, HistoryEvent.Kind.PUSH, "n1", "a push"));
        report.events.add(HistoryEvent.of(at, HistoryEvent.Kind.PUSH, "n1", "another push"));
        report.events.add(HistoryEvent.of(at, HistoryEvent.Kind.HAND_EDIT, "n2", "a hand edit"));
        report.events.add(HistoryEvent.of(at, HistoryEvent.Kind.TRANSITION, "n2", "one"));
        report.events.add(HistoryEvent.of(at, HistoryEvent.Kind.TRANSITION, "n2", "two"));
        assertThat(report.counts()).containsExactly("1 hand-edit", "2 pushes", "2 transitions");
    }

    @Test
    void anHtmlReportEscapesEverythingItQuotes() {
        assertThat(report("--since", "1d", "--format", "html")).isZero();
        String html = output();
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<h2>Timeline</h2>", "<h2>Actions taken</h2>")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>")
                .contains("<span class=\"add\">+  priority 99</span>");
    }

    @Test
    void aReportAndTheHistoryHideEveryAuthPassButShowThatItChanged() {
        String diff = "--- a\n+++ b\n@@ -1,3 +1,3 @@\n   authentication {\n-    auth_pass kwlab1\n+    auth_pass \"wrong 1\"\n     auth_type PASS\n";
        String hidden = ReportCommand.withoutSecrets(diff);
        assertThat(hidden).doesNotContain("kwlab1").doesNotContain("wrong 1")
                .contains("-    auth_pass (hidden)", "+    auth_pass (hidden)", "auth_type PASS");
    }

    private static ConfigFiles files(String text) {
        String path = "/etc/keepalived/keepalived.conf";
        return new ConfigFiles("keepalived", path, List.of(new ConfigFiles.File(path, "main", text, sha(text))), List.of());
    }

    private static String sha(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
