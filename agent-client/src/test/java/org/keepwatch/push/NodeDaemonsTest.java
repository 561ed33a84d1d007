package org.keepwatch.push;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.agent.LocalKeepalived;
import org.keepwatch.agent.NotRootAgent;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.DaemonStatus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which keepalived daemons a read-only node has, as its real agent (run as nobody, a login without sudo) says: a
 * network node with two Neutron HA routers, one whose keepalived runs as root (nobody cannot look at it) and one
 * stopped. Both are offered by name with their configuration files, what the login cannot know is said in words,
 * and the second one's configuration opens, read by that login.
 */
class NodeDaemonsTest {

    static final String FIRST = "3d611c8b-5c67-58e0-8664-b771a97976f3";
    static final String SECOND = "9a0e4f1c-2b3d-4e5f-8a9b-0c1d2e3f4a5b";

    @TempDir
    Path dir;
    private NotRootAgent agent;
    private ExecutorService io;
    private NodeConfigService service;

    /** A configuration as Neutron writes one, its instance named after the router. */
    static String neutronConfig(String instance, int vrid) {
        return """
                global_defs {
                    notification_email_from neutron@openstack.local
                    router_id neutron
                }
                vrrp_instance %s {
                    state BACKUP
                    interface ha-%d
                    virtual_router_id %d
                    priority 50
                    garp_master_delay 60
                    nopreempt
                    advert_int 2
                    track_interface {
                        ha-%d
                    }
                    virtual_ipaddress {
                        169.254.0.%d/24 dev ha-%d
                    }
                }
                """.formatted(instance, vrid, vrid, vrid, vrid, vrid);
    }

    @BeforeEach
    void start() throws Exception {
        NotRootAgent.assumeAvailable();
        agent = NotRootAgent.start(dir, "net1", List.of(
                new NotRootAgent.Router(FIRST, neutronConfig("VR_1", 1), true),
                new NotRootAgent.Router(SECOND, neutronConfig("VR_2", 2), false)), e -> { });
        io = Executors.newCachedThreadPool();
        service = new NodeConfigService(NodeAgents.of(n -> n.equals("net1") ? Optional.of(agent.session()) : Optional.empty(),
                (n, l) -> () -> { }), io);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        if (io != null) {
            io.shutdownNow();
        }
    }

    @Test
    void aReadOnlyNodesDaemonsAreTheAgentsWithWhatItCannotKnowInWords() throws Exception {
        assertThat(agent.session().readOnly()).isPresent();
        NodeDaemons found = service.daemons("net1").get(30, TimeUnit.SECONDS);
        assertThat(found.names()).containsExactly(FIRST, SECOND);
        NodeDaemons.Choice first = found.choice(FIRST).orElseThrow();
        assertThat(first.status()).as("root's process runs; nobody cannot look at it").isEqualTo(DaemonStatus.NOT_VISIBLE);
        assertThat(first.config()).contains(dir.resolve("ha_confs/" + FIRST + "/keepalived.conf").toString());
        assertThat(first.netns()).contains("qrouter-" + FIRST);
        assertThat(first.description()).startsWith("not visible to nobody (not root")
                .contains("configuration " + first.config().get()).contains("namespace qrouter-" + FIRST)
                .contains("Neutron HA router");
        NodeDaemons.Choice second = found.choice(SECOND).orElseThrow();
        assertThat(second.status()).as("no pid file: stopped").isEqualTo(DaemonStatus.STOPPED);
        assertThat(second.description()).startsWith("not running · configuration ");
        assertThat(found.unseen()).hasValueSatisfying(words -> assertThat(words).startsWith("nobody is not root: ")
                .contains("cannot tell whether they run").contains("those root runs as their command lines say")
                .contains("is not seen at all"));
    }

    @Test
    void theSecondDaemonsConfigurationOpensOnAReadOnlyLogin() throws Exception {
        NodeDaemons found = service.daemons("net1").get(30, TimeUnit.SECONDS);
        ConfigDraft draft = service.open(new EditTarget("net1", found.names().get(1), Optional.empty())).get(30, TimeUnit.SECONDS);
        assertThat(draft.mainPath()).isEqualTo(dir.resolve("ha_confs/" + SECOND + "/keepalived.conf").toString());
        assertThat(draft.text(draft.mainPath())).contains("vrrp_instance VR_2 {").doesNotContain("VR_1");
    }

    @Test
    void rootsKeepalivedRunWithAFileOfItsOwnIsOfferedAsItsCommandLineSays() throws Exception {
        LocalKeepalived.assumeAvailable();
        // a real keepalived root runs with -f <dir>/own/keepalived.conf: neither the default, nor Neutron's, nor a unit's
        Path own = Files.createDirectories(dir.resolve("own"));
        try (LocalKeepalived keepalived = LocalKeepalived.start(own, "kwt-ro-", LocalKeepalived.sampleConfig())) {
            Path config = own.resolve("keepalived.conf");
            NodeDaemons.Choice seen = await(() -> service.daemons("net1").get(30, TimeUnit.SECONDS).daemons().stream()
                    .filter(c -> c.config().equals(Optional.of(config.toString()))).findFirst());
            assertThat(seen.name()).as("named by its configuration's directory").isEqualTo("own");
            assertThat(seen.status()).isEqualTo(DaemonStatus.NOT_VISIBLE);
            assertThat(seen.netns()).as("nobody cannot read its namespace").isEmpty();
            assertThat(seen.description()).startsWith("not visible to nobody (not root")
                    .contains("seen from its command line (nobody cannot look at its process: its namespace is not known)");
            ConfigDraft draft = service.open(new EditTarget("net1", seen.name(), Optional.empty())).get(30, TimeUnit.SECONDS);
            assertThat(draft.text(config.toString())).contains("vrrp_instance VI_2");
        }
    }

    /** What the agent says, asked again until it says it (each `daemons` scans /proc again). */
    private static <T> T await(java.util.concurrent.Callable<Optional<T>> probe) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Optional<T> found = probe.call();
            if (found.isPresent()) {
                return found.get();
            }
            assertThat(System.nanoTime()).as("never found").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @Test
    void aNodeNotConnectedSaysSo() {
        assertThat(service.daemons("net2")).failsWithin(java.time.Duration.ofSeconds(1))
                .withThrowableThat().havingCause().withMessageStartingWith("net2 is not connected");
    }
}
