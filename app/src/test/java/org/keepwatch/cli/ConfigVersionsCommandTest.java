package org.keepwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.agent.Operator;
import org.keepwatch.fleet.FleetAction;
import org.keepwatch.fleet.MutableClock;
import org.keepwatch.history.HistorySettings;
import org.keepwatch.history.HistoryStore;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** keepwatch history --configs and --config-diff on a history with a first read, a push and a hand edit of n2. */
class ConfigVersionsCommandTest {

    private static final String PATH = "/etc/keepalived/keepalived.conf";
    private static final String V1 = "vrrp_instance VI_1 {\n  priority 100\n  authentication {\n    auth_pass s3cret\n  }\n}\n";
    private static final String V2 = V1.replace("priority 100", "priority 120");
    private static final String V3 = V2.replace("auth_pass s3cret", "auth_pass n3wpass");

    @TempDir
    Path dir;
    private Path file;
    private final MutableClock clock = new MutableClock(); // starts 2026-11-26T10:00:00Z
    private Clock now;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void threeVersions() {
        file = dir.resolve("history.db");
        try (HistoryStore store = HistoryStore.openNow(HistorySettings.of(file.toString()), clock)) {
            store.configRead("n2", files(V1));
            store.flush(Duration.ofSeconds(10));
            clock.advance(Duration.ofHours(1));
            store.action(new FleetAction(clock.instant(), FleetAction.Kind.PUSH, "n2", "keepalived", Optional.empty(),
                    new Operator("alice", "desk-7"), "pushed " + PATH, "raise n2", "diff", List.of("write: ok"), true, "applied",
                    List.of(new FleetAction.FileVersion(PATH, sha(V2), V2))));
            store.flush(Duration.ofSeconds(10));
            clock.advance(Duration.ofHours(1));
            store.configRead("n2", files(V3));
            assertThat(store.flush(Duration.ofSeconds(10))).isTrue();
        }
        now = Clock.fixed(clock.instant().plus(Duration.ofMinutes(1)), ZoneOffset.UTC);
    }

    private int history(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--history", file.toString()));
        return new HistoryCommand(now).run(all, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theVersionsAreListedOldestFirstWithWhoMadeEachAndWhy() throws Exception {
        assertThat(history("--configs", "n2")).isZero();
        assertThat(output().lines().toList()).containsExactly(
                "2026-11-26 10:00:00  " + sha(V1).substring(0, 12) + "  first read      first seen at connect        " + PATH,
                "2026-11-26 11:00:00  " + sha(V2).substring(0, 12) + "  push            alice@desk-7                 " + PATH + "  \"raise n2\"",
                "2026-11-26 12:00:00  " + sha(V3).substring(0, 12) + "  hand edit       changed outside Keepwatch    " + PATH);
        out.reset();
        assertThat(history("--configs", "n2", "--since", "2026-11-26T10:30:00Z", "--json")).isZero();
        JsonNode json = new ObjectMapper().readTree(output());
        assertThat(json.path("versions")).hasSize(2);
        assertThat(json.path("versions").get(0).path("origin").asText()).isEqualTo("push");
        assertThat(json.path("versions").get(0).path("operator").asText()).isEqualTo("alice@desk-7");
        assertThat(json.path("versions").get(0).path("reason").asText()).isEqualTo("raise n2");
        assertThat(json.path("versions").get(1).path("who").asText()).isEqualTo("changed outside Keepwatch");
        assertThat(json.path("versions").get(1).path("sha256").asText()).isEqualTo(sha(V3));
        out.reset();
        assertThat(history("--configs", "n9")).isZero();
        assertThat(output()).isEqualTo("no configuration versions of n9 in the history\n");
    }

    @Test
    void twoVersionsAreComparedOrOneWithTheOneBeforeItAndSecretsStayHidden() throws Exception {
        assertThat(history("--config-diff", "n2", sha(V1).substring(0, 8), sha(V2).substring(0, 8))).isZero();
        assertThat(output()).contains("from " + sha(V1).substring(0, 12), "first read by first seen at connect",
                "to   " + sha(V2).substring(0, 12), "push by alice@desk-7", "-  priority 100", "+  priority 120");
        out.reset();
        // the hand edit against the version before it: the changed password is not printed
        assertThat(history("--config-diff", "n2", sha(V3).substring(0, 12), "--json")).isZero();
        JsonNode json = new ObjectMapper().readTree(output());
        assertThat(json.path("from").path("hash").asText()).isEqualTo(sha(V2).substring(0, 12));
        assertThat(json.path("diff").asText()).contains("auth_pass (hidden)").doesNotContain("s3cret", "n3wpass");
    }

    @Test
    void aHashThatNamesNothingOrTooLittleIsRefusedInWords() {
        assertThatThrownBy(() -> history("--config-diff", "n2", "abc")).isInstanceOf(UsageException.class)
                .hasMessageContaining("at least 6 hexadecimal characters").hasMessageContaining("--configs n2");
        assertThatThrownBy(() -> history("--config-diff", "n2", "000000000")).isInstanceOf(CommandFailure.class)
                .hasMessage("no configuration version 000000000 of n2 in the history (keepwatch history --configs n2 lists them)");
        assertThatThrownBy(() -> history("--config-diff", "n2", sha(V1).substring(0, 10))).isInstanceOf(CommandFailure.class)
                .hasMessageContaining("is the first the history kept");
        assertThatThrownBy(() -> history("--config-diff", "n2")).isInstanceOf(UsageException.class).hasMessageContaining("not 0");
    }

    private static ConfigFiles files(String text) {
        return new ConfigFiles("keepalived", PATH, List.of(new ConfigFiles.File(PATH, "main", text, sha(text))), List.of());
    }

    private static String sha(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
