package org.keepwatch.agent;

import org.keepwatch.testing.RequiredCommands;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real keepalived in a network namespace of its own, with the real agent beside it as a local
 * process, for tests that check and apply configurations: what a node looks like to the editor. The
 * namespace is the lowest free {@code <prefix><n>} (never the lab's {@code kw-*}); a veth pair inside
 * it gives keepalived an eth0 (10.98.n.1/24) with a peer. The agent manages only this keepalived
 * ({@code --match-config}), whose daemon name is the namespace's. Needs root, keepalived and ip.
 */
public final class LocalKeepalived implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Path dir;
    private final String netns;
    private final int number;
    private Process keepalived;
    private Process agentProcess;
    private AgentSession session;

    private LocalKeepalived(Path dir, String netns, int number) {
        this.dir = dir;
        this.netns = netns;
        this.number = number;
    }

    /** Whether this machine can run one: root, keepalived and ip. */
    public static boolean available() {
        return RequiredCommands.isRoot() && RequiredCommands.find("keepalived").isPresent()
                && RequiredCommands.find("ip").isPresent();
    }

    /** Skips the test for an ordinary user (namespaces need root); as root, fails naming a missing package. */
    public static void assumeAvailable() {
        RequiredCommands.assumeRoot("a keepalived of its own in a network namespace");
        RequiredCommands.require("keepalived", "keepalived");
        RequiredCommands.require("ip", "iproute2");
    }

    /** Starts keepalived with {@code config} (a template: {@code %N} becomes the namespace's number). */
    public static LocalKeepalived start(Path dir, String prefix, String config) throws IOException, InterruptedException {
        int n = 1;
        while (run("ip", "netns", "add", prefix + n) != 0) {
            n++;
            if (n > 200) {
                throw new IOException("no free network namespace " + prefix + "<n>");
            }
        }
        LocalKeepalived node = new LocalKeepalived(dir, prefix + n, n);
        try {
            node.build();
            Files.writeString(node.config(), config.replace("%N", String.valueOf(n)));
            node.startKeepalived();
            return node;
        } catch (IOException | InterruptedException | RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** The config template every editor test starts from: VI_1 (VRID 51, tracking a script) and VI_2 (VRID 52) in a sync group; keepalived -t finds nothing to say about it. */
    public static String sampleConfig() {
        return """
                global_defs {
                    router_id kwt-ed
                    enable_script_security
                    script_user root
                }

                vrrp_script chk_true {
                    script "/bin/true"
                    interval 2
                }

                vrrp_instance VI_1 {
                    state BACKUP
                    interface eth0
                    virtual_router_id 51
                    priority 100
                    advert_int 1
                    authentication {
                        auth_type PASS
                        auth_pass kwtpass1
                    }
                    virtual_ipaddress {
                        10.98.%N.100/24
                    }
                    track_script {
                        chk_true
                    }
                }

                vrrp_instance VI_2 {
                    state BACKUP
                    interface eth0
                    virtual_router_id 52
                    priority 90
                    advert_int 1
                    authentication {
                        auth_type PASS
                        auth_pass kwtpass1
                    }
                    virtual_ipaddress {
                        10.98.%N.200/24
                    }
                }

                vrrp_sync_group G1 {
                    group {
                        VI_1
                        VI_2
                    }
                }
                """;
    }

    /** The agent, started once, as root, managing only this keepalived; its events go to {@code events}. */
    public AgentSession agent(Consumer<AgentEvent> events) throws IOException {
        if (session == null) {
            agentProcess = LocalAgent.start(dir, "--match-config", dir.resolve("*.conf").toString());
            session = AgentSession.attach(AgentStreams.of(agentProcess), netns, AgentSession.Options.defaults(), events);
        }
        return session;
    }

    /** The agent's name for this keepalived: the namespace. */
    public String daemon() {
        return netns;
    }

    public int number() {
        return number;
    }

    public Path config() {
        return dir.resolve("keepalived.conf");
    }

    public String configText() throws IOException {
        return Files.readString(config(), StandardCharsets.UTF_8);
    }

    /** Whether keepalived still runs (a reload with a broken config would end it). */
    public boolean alive() {
        return keepalived != null && keepalived.isAlive();
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
        if (agentProcess != null) {
            agentProcess.destroy();
            waitQuietly(agentProcess);
        }
        if (keepalived != null && keepalived.isAlive()) {
            keepalived.destroy();
            waitQuietly(keepalived);
        }
        try {
            for (String pid : output("ip", "netns", "pids", netns).split("\\s+")) {
                if (!pid.isBlank()) {
                    run("kill", "-9", pid);
                }
            }
            run("ip", "netns", "del", netns);
        } catch (IOException | InterruptedException e) {
            // best effort: the next run claims another number
        }
    }

    private void build() throws IOException, InterruptedException {
        String a = "kwe" + number + "a";
        String b = "kwe" + number + "b";
        ok("ip", "-n", netns, "link", "set", "lo", "up");
        ok("ip", "-n", netns, "link", "add", a, "type", "veth", "peer", "name", b);
        ok("ip", "-n", netns, "link", "set", a, "name", "eth0");
        ok("ip", "-n", netns, "link", "set", b, "name", "eth1");
        ok("ip", "-n", netns, "addr", "add", "10.98." + number + ".1/24", "dev", "eth0");
        ok("ip", "-n", netns, "link", "set", "eth0", "up");
        ok("ip", "-n", netns, "link", "set", "eth1", "up");
        Files.createDirectories(dir.resolve("tmp"));
    }

    private void startKeepalived() throws IOException, InterruptedException {
        Path vrrpPid = dir.resolve("vrrp.pid");
        ProcessBuilder builder = new ProcessBuilder("ip", "netns", "exec", netns, "keepalived", "--dont-fork", "--log-console",
                "-f", config().toString(), "-p", dir.resolve("keepalived.pid").toString(), "-r", vrrpPid.toString(),
                "-c", dir.resolve("checkers.pid").toString());
        builder.environment().put("TMPDIR", dir.resolve("tmp").toString());
        builder.redirectErrorStream(true).redirectOutput(dir.resolve("keepalived.log").toFile());
        keepalived = builder.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(vrrpPid) && !Files.readString(vrrpPid).isBlank()) {
                return;
            }
            if (!keepalived.isAlive()) {
                throw new IOException("keepalived in " + netns + " exited: " + Files.readString(dir.resolve("keepalived.log")));
            }
            Thread.sleep(50);
        }
        throw new IOException("keepalived in " + netns + " did not start");
    }

    private static void waitQuietly(Process process) {
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void ok(String... command) throws IOException, InterruptedException {
        if (run(command) != 0) {
            throw new IOException(String.join(" ", command) + " failed");
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }

    private static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
