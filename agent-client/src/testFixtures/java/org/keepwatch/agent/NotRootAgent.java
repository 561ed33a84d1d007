package org.keepwatch.agent;

import org.keepwatch.testing.RequiredCommands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The real agent run as the user nobody (a login without sudo: a read-only session) on a node shaped as a Neutron
 * network node: one configuration per HA router under {@code ha_confs}, readable by every user as Neutron's are. A
 * router may be given a pid file naming a process of root's that runs (a {@code sleep}: nobody cannot look at it, as
 * it cannot look at root's keepalived), so the agent says "not_visible" of it. Root only (runuser).
 */
public final class NotRootAgent implements AutoCloseable {

    /** A Neutron HA router: its id (a uuid), its keepalived.conf, and whether root's process is to run for it. */
    public record Router(String id, String config, boolean running) {
    }

    private final List<Process> processes = new ArrayList<>();
    private AgentSession session;

    private NotRootAgent() {
    }

    /** Skips the test for an ordinary user; as root, fails naming a missing package. */
    public static void assumeAvailable() {
        RequiredCommands.assumeRoot("runs the agent as the user nobody");
        RequiredCommands.require("runuser", "util-linux");
        RequiredCommands.require("python3", "python3");
    }

    /** Writes the routers' configurations under {@code dir} and starts the agent as nobody over them. */
    public static NotRootAgent start(Path dir, String node, List<Router> routers, Consumer<AgentEvent> events)
            throws IOException {
        NotRootAgent agent = new NotRootAgent();
        try {
            Path script = LocalAgent.script(dir);
            Path haConfs = Files.createDirectories(dir.resolve("ha_confs"));
            Files.setPosixFilePermissions(haConfs, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Router router : routers) {
                Path routerDir = Files.createDirectories(haConfs.resolve(router.id()));
                Files.setPosixFilePermissions(routerDir, PosixFilePermissions.fromString("rwxr-xr-x"));
                Path conf = Files.writeString(routerDir.resolve("keepalived.conf"), router.config());
                Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
                if (router.running()) {
                    Process sleeper = new ProcessBuilder("sleep", "600").start();
                    agent.processes.add(sleeper);
                    Path pidFile = Files.writeString(haConfs.resolve(router.id() + ".pid.keepalived"), sleeper.pid() + "\n");
                    Files.setPosixFilePermissions(pidFile, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
            Path state = Files.createDirectories(dir.resolve("nobody-state"));
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(state, users.lookupPrincipalByName("nobody"));
            Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
            Process process = new ProcessBuilder("runuser", "-u", "nobody", "--", "python3", script.toString(), "serve",
                    "--state-dir", state.toString(), "--neutron-ha-confs", haConfs.toString(),
                    "--default-config", dir.resolve("none.conf").toString(),
                    "--match-config", LocalAgent.ownConfigs(dir)).start();
            agent.processes.add(0, process);
            agent.session = AgentSession.attach(AgentStreams.of(process), node, AgentSession.Options.defaults().readOnlyAllowed(),
                    events);
            return agent;
        } catch (IOException | RuntimeException e) {
            agent.close();
            throw e;
        }
    }

    public AgentSession session() {
        return session;
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
        for (Process p : processes) {
            p.destroy();
            try {
                if (!p.waitFor(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
