package org.keepwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.agent.AgentException;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.AgentStartException;
import org.keepwatch.agent.CheckResult;
import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.agent.ConfigOps;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.DaemonStatus;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.NodeDaemons;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.ssh.LoginTarget;
import org.keepwatch.ssh.SshException;
import org.keepwatch.ssh.SshPrompts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each login kind of the lab (lab/kwlab/logins.py, fleet-logins.json) against its real sshd, sudo and keepalived:
 * a user with passwordless sudo, one whose sudo asks for a password, one without sudo (read-only, in words), and
 * root on n3 reachable only through the bastion, with the host key of each hop checked.
 */
@Tag("lab")
@Tag("mixed-fleet")   // CI runs it once, on the mixed fleet (.ci/run)
@ExtendWith(LabExtension.class)
class LoginKindsLabTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(40);
    private static final Path LOGINS_FLEET = Lab.LAB_DIR.resolve("fleet-logins.json");
    private static final Path LOGINS_KNOWN_HOSTS = Lab.LAB_DIR.resolve("keys/known_hosts-logins");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Lab lab;
    private static String sudoPassword;

    @TempDir
    Path dir;

    @BeforeAll
    static void lab(Lab theLab) throws Exception {
        lab = theLab;
        sudoPassword = Files.readString(Lab.LAB_DIR.resolve("keys/kwsudopw.password")).strip();
    }

    /** Prompts that give sudo passwords from a list and count what they were asked. */
    static final class SudoAnswers implements SshPrompts {
        final Deque<String> answers;
        final List<String> asked = new CopyOnWriteArrayList<>();

        SudoAnswers(String... answers) {
            this.answers = new ArrayDeque<>(List.of(answers));
        }

        @Override
        public Optional<char[]> sudoPassword(LoginTarget login, String node, int attempt) {
            asked.add(login.user() + "@" + node + "#" + attempt);
            String next = answers.poll();
            return next == null ? Optional.empty() : Optional.of(next.toCharArray());
        }
    }

    /** The logins fleet with only {@code node}, so no other node is connected (nor asks anything). */
    private Path fleetOf(String node, Optional<Path> knownHosts) throws Exception {
        ObjectNode fleet = (ObjectNode) JSON.readTree(LOGINS_FLEET.toFile());
        ArrayNode kept = JSON.createArrayNode();
        for (JsonNode entry : fleet.get("nodes")) {
            if (entry.get("name").asText().equals(node)) {
                knownHosts.ifPresent(file -> ((ObjectNode) entry).put("knownHostsFile", file.toString()));
                kept.add(entry);
            }
        }
        assertThat(kept).as(node + " in " + LOGINS_FLEET).hasSize(1);
        fleet.set("nodes", kept);
        Path file = dir.resolve(node + ".json");
        JSON.writeValue(file.toFile(), fleet);
        return file;
    }

    private FleetConnection open(String node, SshPrompts prompts) throws Exception {
        return open(node, prompts, Optional.empty());
    }

    private FleetConnection open(String node, SshPrompts prompts, Optional<Path> knownHosts) throws Exception {
        return FleetConnection.open(Keepwatch.forCurrentUser(prompts, Clock.systemUTC()), fleetOf(node, knownHosts),
                TIMEOUT);
    }

    private static String daemonOf(AgentSession session) throws Exception {
        JsonNode daemons = session.daemons().get(20, TimeUnit.SECONDS).get("daemons");
        assertThat(daemons).as("the node's keepalived is found").isNotEmpty();
        return daemons.get(0).get("name").asText();
    }

    /** The node's own configuration, read and checked with keepalived -t on the node: what a push starts with. */
    private static void configCheckWorks(AgentSession session) throws Exception {
        String daemon = daemonOf(session);
        ConfigOps ops = new ConfigOps(session);
        ConfigFiles files = ops.read(daemon).get(20, TimeUnit.SECONDS);
        String text = files.file(files.main()).orElseThrow().text();
        CheckResult check = ops.check(daemon, Optional.empty(), text).get(60, TimeUnit.SECONDS);
        assertThat(check.ok()).as(check.output()).isTrue();
    }

    private static void stateIsWatched(FleetConnection fleet, String node) {
        fleet.settle();
        assertThat(fleet.state().routers()).as("%s's instances are watched", node)
                .flatMap(r -> r.members()).filteredOn(m -> m.node().equals(node))
                .isNotEmpty().allSatisfy(m -> assertThat(m.current()).isTrue())
                .extracting(RouterMember::lastKnown).allSatisfy(i -> assertThat(i.state()).isNotNull());
    }

    private static NodeStatus awaitStatus(FleetConnection fleet, String node, ConnectionState state) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<NodeStatus> status = fleet.state().nodes().stream().filter(s -> s.node().equals(node)).findFirst();
            if (status.isPresent() && status.get().connection() == state) {
                return status.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError(node + " never became " + state + ": " + fleet.state().nodes());
    }

    @Test
    void passwordlessSudoRunsTheAgentAsRootAndAConfigCheckWorks() throws Exception {
        SudoAnswers prompts = new SudoAnswers();
        try (FleetConnection fleet = open("n1-kwsudo", prompts)) {
            fleet.awaitOnline(List.of("n1-kwsudo"));
            AgentSession session = fleet.session("n1-kwsudo").orElseThrow();
            assertThat(session.hello().root()).isTrue();
            assertThat(session.hello().hostname()).isEqualTo("n1");
            assertThat(session.readOnly()).isEmpty();
            configCheckWorks(session);
            stateIsWatched(fleet, "n1-kwsudo");
            assertThat(fleet.state().nodes()).singleElement().satisfies(s -> assertThat(s.isReadOnly()).isFalse());
        }
        assertThat(prompts.asked).as("passwordless: nothing asked").isEmpty();
    }

    @Test
    void sudoWithAPasswordAsksOnceAndAReconnectReusesItFromMemory() throws Exception {
        SudoAnswers prompts = new SudoAnswers(sudoPassword);
        try (FleetConnection fleet = open("n2-kwsudopw", prompts)) {
            fleet.awaitOnline(List.of("n2-kwsudopw"));
            AgentSession first = fleet.session("n2-kwsudopw").orElseThrow();
            assertThat(first.hello().root()).isTrue();
            assertThat(first.hello().hostname()).isEqualTo("n2");
            configCheckWorks(first);
            stateIsWatched(fleet, "n2-kwsudopw");
            assertThat(prompts.asked).containsExactly("kwsudopw@n2-kwsudopw#1");

            fleet.supervisor("n2-kwsudopw").orElseThrow().retry();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (fleet.session("n2-kwsudopw").filter(s -> s != first).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            AgentSession second = fleet.session("n2-kwsudopw").orElseThrow();
            assertThat(second).isNotSameAs(first);
            assertThat(second.hello().root()).isTrue();
            assertThat(prompts.asked).as("the reconnect took the password from memory").hasSize(1);
        }
    }

    @Test
    void aWrongSudoPasswordIsAskedOnceMoreThenTheNodeWaitsForTheOperator() throws Exception {
        SudoAnswers prompts = new SudoAnswers("not it", "not it either", sudoPassword);
        try (FleetConnection fleet = open("n2-kwsudopw", prompts)) {
            NodeStatus status = awaitStatus(fleet, "n2-kwsudopw", ConnectionState.AUTH_FAILED);
            assertThat(status.lastError()).hasValueSatisfying(e -> assertThat(e)
                    .contains("sudo refused the password of kwsudopw on n2-kwsudopw twice"));
            assertThat(status.cause()).hasValueSatisfying(c -> assertThat(((AgentStartException) c).reason())
                    .isEqualTo(AgentStartException.Reason.SUDO_PASSWORD_REFUSED));
            Thread.sleep(5000);
            assertThat(prompts.asked).as("two questions, and no retry storm after them")
                    .containsExactly("kwsudopw@n2-kwsudopw#1", "kwsudopw@n2-kwsudopw#2");
        }
    }

    @Test
    void aUserWithoutSudoIsWatchedReadOnlyAndSaysSoAndActionsAreRefusedWithThoseWords() throws Exception {
        SudoAnswers prompts = new SudoAnswers();
        try (FleetConnection fleet = open("n3-kwnosudo", prompts)) {
            fleet.awaitOnline(List.of("n3-kwnosudo"));
            AgentSession session = fleet.session("n3-kwnosudo").orElseThrow();
            assertThat(session.hello().root()).isFalse();
            String words = "read-only: kwnosudo on n3-kwnosudo has no sudo (sudo is off for this node); "
                    + "keepalived's state needs root, so its instances are not watched (its configuration can still be "
                    + "read), and nothing can be changed";
            assertThat(session.readOnly()).contains(words);
            assertThat(fleet.state().nodes()).filteredOn(s -> s.node().equals("n3-kwnosudo")).singleElement()
                    .satisfies(s -> {
                        assertThat(s.lastError()).contains(words);
                        // the library's state says it, so front ends offer no change up front (no SSH logic of theirs)
                        assertThat(s.isReadOnly()).isTrue();
                        assertThat(s.readOnly()).contains(words);
                    });
            String daemon = daemonOf(session);
            for (String op : List.of("daemon.reload", "config.apply", "maintenance.set")) {
                ObjectNode args = session.json().createObjectNode().put("daemon", daemon);
                assertThatThrownBy(() -> session.call(op, args).get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(AgentException.class)
                        .hasMessage(op + " refused: " + words);
            }
            // Not root, the agent cannot look at keepalived's process nor ask it for its state dumps, and would call a
            // running keepalived dead: none of that reaches the fleet, whose routers count the node as unread
            fleet.settle();
            assertThat(fleet.state().daemons("n3-kwnosudo")).as("no daemon claimed dead").isEmpty();
            assertThat(fleet.state().routers().stream().flatMap(r -> r.members().stream()))
                    .noneMatch(m -> m.node().equals("n3-kwnosudo"));
            // what still works: its configuration can be read (keepalived -t of it needs root too: the agent writes
            // the candidate beside the file)
            ConfigFiles files = new ConfigOps(session).read(daemon).get(20, TimeUnit.SECONDS);
            assertThat(files.file(files.main()).orElseThrow().text()).contains("router_id n3");
        }
        assertThat(prompts.asked).isEmpty();
    }

    /** net1 of the Neutron pair (fleet.json) logged into as kwnosudo, a user without sudo: a read-only node. */
    private Path readOnlyNetworkNode() throws Exception {
        ObjectNode fleet = (ObjectNode) JSON.readTree(Lab.LAB_DIR.resolve("fleet.json").toFile());
        ArrayNode kept = JSON.createArrayNode();
        for (JsonNode entry : fleet.get("nodes")) {
            if (entry.get("name").asText().equals("net1")) {
                kept.add(((ObjectNode) entry).put("name", "net1-kwnosudo").put("user", "kwnosudo").put("sudo", false));
            }
        }
        assertThat(kept).as("net1 in fleet.json").hasSize(1);
        fleet.set("nodes", kept);
        Path file = dir.resolve("net1-kwnosudo.json");
        JSON.writeValue(file.toFile(), fleet);
        return file;
    }

    @Test
    void aReadOnlyLoginOnANetworkNodeChoosesAndOpensTheSecondRoutersConfiguration() throws Exception {
        SudoAnswers prompts = new SudoAnswers();
        try (FleetConnection fleet = FleetConnection.open(Keepwatch.forCurrentUser(prompts, Clock.systemUTC()),
                readOnlyNetworkNode(), TIMEOUT)) {
            fleet.awaitOnline(List.of("net1-kwnosudo"));
            assertThat(fleet.session("net1-kwnosudo").orElseThrow().readOnly()).isPresent();
            fleet.settle();
            // the watched state names none of its daemons: what to open is the agent's to say
            assertThat(fleet.state().daemons("net1-kwnosudo")).isEmpty();
            NodeConfigService configs = new NodeConfigService(fleet.agents(), fleet.io());
            NodeDaemons found = configs.daemons("net1-kwnosudo").get(40, TimeUnit.SECONDS);
            assertThat(found.daemons()).as("every Neutron router of the node, by its id").hasSizeGreaterThanOrEqualTo(2)
                    .allSatisfy(d -> {
                        assertThat(d.name()).matches("[0-9a-f-]{36}");
                        assertThat(d.config()).contains("/var/lib/neutron/ha_confs/" + d.name() + "/keepalived.conf");
                        assertThat(d.netns()).contains("qrouter-" + d.name());
                        // root's keepalived runs for each; kwnosudo cannot look at it, and says so
                        assertThat(d.status()).isEqualTo(DaemonStatus.NOT_VISIBLE);
                        assertThat(d.description()).startsWith("not visible to kwnosudo (not root");
                    });
            assertThat(found.unseen()).hasValueSatisfying(w -> assertThat(w).startsWith("kwnosudo is not root: "));
            NodeDaemons.Choice second = found.daemons().get(1);
            ConfigDraft draft = configs.open(new EditTarget("net1-kwnosudo", second.name(), Optional.empty()))
                    .get(40, TimeUnit.SECONDS);
            assertThat(draft.mainPath()).isEqualTo(second.config().orElseThrow());
            assertThat(draft.text(draft.mainPath())).contains("vrrp_instance").contains("nopreempt");
            assertThat(draft.text(draft.mainPath())).as("not the first router's").isNotEqualTo(configs.open(new EditTarget(
                    "net1-kwnosudo", found.daemons().get(0).name(), Optional.empty())).get(40, TimeUnit.SECONDS)
                    .text(found.daemons().get(0).config().orElseThrow()));
            // the command line has no guess either: several daemons and none named is a question naming them
            assertThatThrownBy(() -> BackupsCommand.target(fleet, List.of("net1-kwnosudo")))
                    .isInstanceOf(UsageException.class).hasMessageContaining("name one: " + String.join(", ", found.names()));
        }
        assertThat(prompts.asked).isEmpty();
    }

    @Test
    void theCliRefusesADaemonActionOnTheReadOnlyNodeBeforeAskingAnythingAndSaysWhy() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        Path fleetFile = fleetOf("n3-kwnosudo", Optional.empty());
        int status;
        try {
            status = new DaemonCommand(Confirmation.nobody(), FleetConnection::open).run(List.of("reload",
                    "n3-kwnosudo", "--fleet", fleetFile.toString(), "--timeout", "30"),
                    new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
        } catch (CommandFailure failure) {
            status = failure.exitStatus();
            err.write(failure.getMessage().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(status).isEqualTo(ActionExit.REFUSED);
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("n3-kwnosudo: read-only: kwnosudo "
                + "on n3-kwnosudo has no sudo (sudo is off for this node)", "nothing can be changed");
    }

    @Test
    void theNodeBehindTheBastionIsReachedThroughItOnly() throws Exception {
        try (FleetConnection fleet = open("n3-bastion", SshPrompts.BATCH)) {
            fleet.awaitOnline(List.of("n3-bastion"));
            AgentSession session = fleet.session("n3-bastion").orElseThrow();
            assertThat(session.hello().hostname()).isEqualTo("n3");
            assertThat(session.hello().root()).isTrue();
            configCheckWorks(session);
        }
        Lab.Result direct = Lab.exec(List.of("ssh", "-F", "/dev/null", "-i", lab.clientKey().toString(),
                "-o", "UserKnownHostsFile=" + LOGINS_KNOWN_HOSTS, "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=3",
                "-p", "2222", "root@10.77.0.13", "hostname"));
        assertThat(direct.exitCode()).isEqualTo(255);
        assertThat(direct.stderr()).as("the workstation's own connection is dropped").contains("timed out");
    }

    @Test
    void aWrongHostKeyOfTheBastionIsRefusedNamingTheBastion() throws Exception {
        // n1's keys claimed for the bastion's address: what a man in the middle at the first hop would present
        Path knownHosts = swapped("10.77.0.5 ", "10.77.0.11 ");
        try (FleetConnection fleet = open("n3-bastion", SshPrompts.BATCH, Optional.of(knownHosts))) {
            NodeStatus status = awaitStatus(fleet, "n3-bastion", ConnectionState.HOST_KEY_REJECTED);
            assertThat(status.cause()).containsInstanceOf(SshException.JumpHostFailed.class);
            assertThat(status.lastError()).hasValueSatisfying(e -> assertThat(e)
                    .startsWith("Jump host 1 (10.77.0.5) failed: The host key of 10.77.0.5 has changed"));
        }
    }

    @Test
    void aWrongHostKeyOfTheNodeBehindTheBastionIsRefusedNamingTheNode() throws Exception {
        Path knownHosts = swapped("[10.77.0.13]:2222 ", "10.77.0.12 ");
        try (FleetConnection fleet = open("n3-bastion", SshPrompts.BATCH, Optional.of(knownHosts))) {
            NodeStatus status = awaitStatus(fleet, "n3-bastion", ConnectionState.HOST_KEY_REJECTED);
            assertThat(status.cause()).containsInstanceOf(SshException.HostKeyChanged.class);
            assertThat(status.lastError()).hasValueSatisfying(e -> assertThat(e)
                    .contains("[10.77.0.13]:2222", "has changed").doesNotContain("Jump host"));
        }
    }

    /** The logins known_hosts with the lines of {@code victim} replaced by {@code impostor}'s keys under its name. */
    private Path swapped(String victim, String impostor) throws Exception {
        List<String> lines = Files.readAllLines(LOGINS_KNOWN_HOSTS);
        List<String> out = new java.util.ArrayList<>(lines.stream().filter(l -> !l.startsWith(victim)).toList());
        lines.stream().filter(l -> l.startsWith(impostor)).map(l -> victim + l.substring(impostor.length()))
                .forEach(out::add);
        assertThat(out).anySatisfy(l -> assertThat(l).startsWith(victim));
        return Files.write(dir.resolve("known_hosts"), out);
    }
}
