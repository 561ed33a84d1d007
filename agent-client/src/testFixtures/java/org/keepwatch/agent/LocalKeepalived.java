package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.keepwatch.lab.Lab;
import org.keepwatch.testing.RequiredCommands;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real keepalived in a network namespace of its own, with the real agent beside it as a local
 * process, for tests that check and apply configurations: what a node looks like to the editor. The
 * namespace is a test bed of the lab ({@code lab/testbed}, see lab/README.md): the lowest free
 * {@code <prefix><n>} (never the lab's {@code kw-*}), with a veth pair inside it that gives keepalived an
 * eth0 (10.98.n.1/24) with a peer. The test bed lives as long as the {@code lab/testbed} process holds it,
 * which ends when its standard input closes (on {@link #close()}, or when this JVM dies). The agent manages
 * only this keepalived ({@code --match-config}), whose daemon name is the namespace's. Needs root,
 * keepalived, ip and python3.
 */
public final class LocalKeepalived implements AutoCloseable {

    /** The node's address: 10.98.n.1 in the namespace {@code <prefix><n>}. */
    private static final String NETWORK = "10.98.%N";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final Process testbed;
    private final String netns;
    private final int number;
    private final long keepalivedPid;
    private Process agentProcess;
    private AgentSession session;

    private LocalKeepalived(Path dir, Process testbed, JsonNode node) {
        this.dir = dir;
        this.testbed = testbed;
        this.netns = node.path("netns").asText();
        this.number = node.path("number").asInt();
        this.keepalivedPid = node.path("pid").asLong();
    }

    /** Whether this machine can run one: root, keepalived, ip and python3. */
    public static boolean available() {
        return RequiredCommands.isRoot() && RequiredCommands.find("keepalived").isPresent()
                && RequiredCommands.find("ip").isPresent() && RequiredCommands.find("python3").isPresent();
    }

    /** Skips the test for an ordinary user (namespaces need root); as root, fails naming a missing package. */
    public static void assumeAvailable() {
        RequiredCommands.assumeRoot("a keepalived of its own in a network namespace");
        RequiredCommands.require("keepalived", "keepalived");
        RequiredCommands.require("ip", "iproute2");
        RequiredCommands.require("python3", "python3");
    }

    /** Starts keepalived with {@code config} (a template: {@code %N} becomes the namespace's number). */
    public static LocalKeepalived start(Path dir, String prefix, String config) throws IOException, InterruptedException {
        Path template = Files.writeString(dir.resolve("keepalived.conf"), config);
        Process testbed = new ProcessBuilder(Lab.fromWorkingDirectory().script("testbed").toString(),
                "--prefix", prefix, "--dir", dir.toString(), "--config", template.toString(), "--network", NETWORK).start();
        String described = new BufferedReader(new InputStreamReader(testbed.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (described == null) {
            String why = new String(testbed.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            release(testbed);
            throw new IOException("lab/testbed " + prefix + " did not start: " + why);
        }
        try {
            return new LocalKeepalived(dir, testbed, new ObjectMapper().readTree(described).path("nodes").get(0));
        } catch (IOException | RuntimeException e) {
            release(testbed);
            throw new IOException("lab/testbed printed no node: " + described, e);
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

    /**
     * Whether keepalived still runs (a reload with a broken config would end it). It is lab/testbed's child, not
     * ours: a zombie it has not reaped yet counts as ended.
     */
    public boolean alive() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(keepalivedPid), "stat"));
            return keepalivedPid > 1 && stat.contains(" (keepalived) ") && stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
        if (agentProcess != null) {
            agentProcess.destroy();
            if (!waitQuietly(agentProcess, Duration.ofSeconds(5))) {
                agentProcess.destroyForcibly();
            }
        }
        release(testbed);
    }

    /** Closing its standard input ends the test bed: lab/testbed stops keepalived and removes the namespace. */
    private static void release(Process testbed) {
        try {
            testbed.getOutputStream().close();
        } catch (IOException e) {
            // it is gone already, and removed the test bed on its way out
        }
        if (!waitQuietly(testbed, STOP_TIMEOUT)) {
            testbed.destroy();      // SIGTERM: it still removes the test bed
            if (!waitQuietly(testbed, Duration.ofSeconds(5))) {
                testbed.destroyForcibly();
            }
        }
    }

    private static boolean waitQuietly(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
