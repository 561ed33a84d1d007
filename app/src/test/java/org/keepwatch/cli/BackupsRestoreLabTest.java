package org.keepwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.push.BackupService;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushOutcome;
import org.keepwatch.push.PushService;
import org.keepwatch.ssh.SshPrompts;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * keepwatch backups and keepwatch restore against the lab, through real sshd and the real agent: a push leaves a
 * backup, the backup is listed, diffed and put back, and the file and the fleet come back as they were; a backup named
 * with a path, or another node's backup, is refused and nothing changes.
 */
@Tag("lab")
@ExtendWith(LabExtension.class)
class BackupsRestoreLabTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Lab lab;

    @BeforeAll
    static void lab(Lab theLab) {
        lab = theLab;
    }

    @Test
    void aPushsBackupIsListedAndRestoredAndTheFileAndTheFleetReturn() throws Exception {
        Keepwatch keepwatch = Keepwatch.forCurrentUser(SshPrompts.BATCH, Clock.systemUTC());
        try (FleetConnection fleet = FleetConnection.open(keepwatch, lab.fleetFile(), Duration.ofSeconds(30))) {
            fleet.awaitOnline(List.of("n1", "n2"));
            fleet.settle();
            EditTarget n1 = new EditTarget("n1", "keepalived", Optional.empty());
            NodeConfigService configs = new NodeConfigService(fleet.agents(), fleet.io());
            PushService pushes = new PushService(fleet.agents(), fleet::state, fleet.io());
            ConfigDraft before = configs.open(n1).get(30, TimeUnit.SECONDS);
            String path = before.mainPath();
            String original = before.text(path);
            String originalSha = before.base().file(path).orElseThrow().sha256();
            int priority = base(fleet, "n1", "VI_1");
            try {
                // a push: n1's VI_1 five higher; n1 is VI_1's master already, so no master changes
                String raised = raise(original, "VI_1", priority, priority + 5);
                PushOutcome pushed = pushes.pushNode(n1, before.withText(path, raised), "lab: backups test", s -> { })
                        .get(120, TimeUnit.SECONDS);
                assertThat(pushed).isInstanceOf(PushOutcome.Applied.class);
                awaitBase(fleet, "n1", "VI_1", priority + 5);

                Run listed = cli("backups", "n1", "--json");
                assertThat(listed.exit()).as(listed.err()).isEqualTo(0);
                JsonNode files = JSON.readTree(listed.out()).path("files");
                JsonNode main = files.get(0);
                assertThat(main.path("path").asText()).isEqualTo(path);
                String name = main.path("backups").get(0).path("name").asText();
                assertThat(main.path("backups").get(0).path("sha256").asText()).as("the push's backup is the file before it")
                        .isEqualTo(originalSha);

                Run diff = cli("backups", "n1", "--diff", name);
                assertThat(diff.out()).contains("- ").contains("priority " + priority).contains("+ ").contains("priority " + (priority + 5));

                Run refused = cli("restore", "n1", name);
                assertThat(refused.exit()).as("no --yes and no terminal: nothing done").isEqualTo(ActionExit.REFUSED);
                assertThat(refused.out()).contains("Restore on n1: " + path, "from backup " + name, "No master changes for VI_1");
                assertThat(refused.err()).contains("nothing done");
                assertThat(read(configs, n1)).isEqualTo(raised);

                Run restored = cli("restore", "n1", name, "--yes", "--reason", "lab: back to before the test");
                assertThat(restored.exit()).as(restored.out() + restored.err()).isEqualTo(ActionExit.DONE);
                assertThat(restored.out()).contains("Applied on n1", "is " + name + " again", "health ");
                assertThat(read(configs, n1)).isEqualTo(original);
                awaitBase(fleet, "n1", "VI_1", priority);
                assertThat(lab.awaitHealthy(Duration.ofSeconds(20)).routers()).isNotEmpty();
            } finally {
                ConfigDraft now = configs.open(n1).get(30, TimeUnit.SECONDS);
                if (!now.text(path).equals(original)) {
                    pushes.pushNode(n1, now.withText(path, original), "lab: put back after the backups test", s -> { }).get(120, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void aBackupNamedWithAPathOrAnotherNodesBackupIsRefusedAndNothingChanges() throws Exception {
        Keepwatch keepwatch = Keepwatch.forCurrentUser(SshPrompts.BATCH, Clock.systemUTC());
        try (FleetConnection fleet = FleetConnection.open(keepwatch, lab.fleetFile(), Duration.ofSeconds(30))) {
            fleet.awaitOnline(List.of("n1", "n2"));
            EditTarget n1 = new EditTarget("n1", "keepalived", Optional.empty());
            EditTarget n2 = new EditTarget("n2", "keepalived", Optional.empty());
            NodeConfigService configs = new NodeConfigService(fleet.agents(), fleet.io());
            PushService pushes = new PushService(fleet.agents(), fleet::state, fleet.io());
            BackupService backups = new BackupService(fleet.agents(), fleet.io());
            ConfigDraft draft = configs.open(n2).get(30, TimeUnit.SECONDS);
            String path = draft.mainPath();
            String original = draft.text(path);
            String n1Before = read(configs, n1);
            try {
                // n2 gets a backup of its own (a comment added, then taken away again by the finally)
                pushes.pushNode(n2, draft.withText(path, original + "# backups lab test\n"), "lab: a backup on n2", s -> { })
                        .get(120, TimeUnit.SECONDS);
                String n2Backup = backups.list(n2).get(30, TimeUnit.SECONDS).files().get(0).backups().get(0).name();
                String n1Sha = backups.list(n1).get(30, TimeUnit.SECONDS).files().get(0).liveSha256();

                // the CLI refuses what it does not list for that node
                for (String bad : List.of("../" + n2Backup, "/etc/keepalived/keepalived.conf", n2Backup)) {
                    Run run = cli("restore", "n1", bad, "--yes");
                    assertThat(run.exit()).as(bad).isEqualTo(ActionExit.REFUSED);
                    assertThat(run.err()).as(bad).contains("no backup " + bad + " of n1");
                }
                // and the agent itself refuses them when asked directly
                PushOutcome withPath = pushes.restore(n1, path, "../" + n2Backup, n1Sha, "lab", s -> { }).get(60, TimeUnit.SECONDS);
                assertThat(withPath).isInstanceOfSatisfying(PushOutcome.Failed.class, f -> assertThat(f.message()).contains("[bad_args]"));
                PushOutcome otherNodes = pushes.restore(n1, path, n2Backup, n1Sha, "lab", s -> { }).get(60, TimeUnit.SECONDS);
                assertThat(otherNodes).isInstanceOfSatisfying(PushOutcome.Failed.class, f -> assertThat(f.message()).contains("[not_found]"));
                PushOutcome notItsFile = pushes.restore(n1, "/etc/passwd", n2Backup, n1Sha, "lab", s -> { }).get(60, TimeUnit.SECONDS);
                assertThat(notItsFile).isInstanceOfSatisfying(PushOutcome.Failed.class, f -> assertThat(f.message()).contains("[forbidden_path]"));
                assertThat(read(configs, n1)).isEqualTo(n1Before);
            } finally {
                ConfigDraft now = configs.open(n2).get(30, TimeUnit.SECONDS);
                if (!now.text(path).equals(original)) {
                    pushes.pushNode(n2, now.withText(path, original), "lab: put back after the backups test", s -> { }).get(120, TimeUnit.SECONDS);
                }
            }
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--fleet", lab.fleetFile().toString(), "--timeout", "30"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String read(NodeConfigService configs, EditTarget target) throws Exception {
        ConfigDraft draft = configs.open(target).get(30, TimeUnit.SECONDS);
        return draft.text(draft.mainPath());
    }

    /** The configured priority of an instance's block, replaced in its block only. */
    private static String raise(String text, String instance, int from, int to) {
        int start = text.indexOf("vrrp_instance " + instance + " ");
        int at = text.indexOf("priority " + from, start);
        assertThat(start).isNotNegative();
        assertThat(at).isGreaterThan(start);
        return text.substring(0, at) + "priority " + to + text.substring(at + ("priority " + from).length());
    }

    private static int base(FleetConnection fleet, String node, String instance) {
        return member(fleet, node, instance).orElseThrow().lastKnown().basePriority();
    }

    private static Optional<RouterMember> member(FleetConnection fleet, String node, String instance) {
        for (RouterStatus r : fleet.state().routers()) {
            Optional<RouterMember> m = r.member(node).filter(x -> x.lastKnown().name().equals(instance));
            if (m.isPresent()) {
                return m;
            }
        }
        return Optional.empty();
    }

    private static void awaitBase(FleetConnection fleet, String node, String instance, int priority) {
        assertThat(Lab.await(Duration.ofSeconds(40), Duration.ofMillis(200), () -> member(fleet, node, instance)
                .map(m -> m.lastKnown().basePriority() == priority).orElse(false)))
                .as(node + " " + instance + " runs at priority " + priority).isPresent();
    }
}
