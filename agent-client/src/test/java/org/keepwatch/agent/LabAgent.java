package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keepwatch.lab.Lab;
import org.keepwatch.ssh.RemoteProcess;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnection;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshPrompts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The real agent on one lab node, reached over real SSH (the lab's key and known_hosts, strict host
 * keys), with every event it sends kept in order so a test can wait for the one it expects.
 */
final class LabAgent implements AutoCloseable {

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = ProtocolJson.mapper();

    private final String node;
    private final SshConnection connection;
    private final AgentSession session;
    private final List<AgentEvent> events = new ArrayList<>();

    private LabAgent(String node, SshConnection connection, String environment) throws IOException {
        this.node = node;
        this.connection = connection;
        AgentSession started;
        try {
            if (environment.isEmpty()) {
                started = AgentSession.open(connection, AgentScript.bundled(), AgentSession.Options.defaults(), this::onEvent);
            } else {
                // The test-only fault variable reaches the agent through the command, as `env VAR=... python3 agent serve`.
                String path = AgentSession.deploy(connection, AgentScript.bundled());
                RemoteProcess process = connection.exec("env " + environment + " python3 " + AgentScript.shellQuote(path) + " serve");
                started = AgentSession.attach(AgentStreams.of(process), node, AgentSession.Options.defaults(), this::onEvent);
            }
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
        this.session = started;
    }

    /** Connects to a node of the lab's fleet file and starts the agent there. */
    static LabAgent open(Lab lab, String node) throws IOException {
        return open(lab, node, "");
    }

    /** As {@link #open(Lab, String)}, with {@code VAR=value} words put in the agent's environment. */
    static LabAgent open(Lab lab, String node, String environment) throws IOException {
        JsonNode entry = null;
        for (JsonNode candidate : JSON.readTree(lab.fleetFile().toFile()).path("nodes")) {
            if (candidate.path("name").asText().equals(node)) {
                entry = candidate;
            }
        }
        if (entry == null) {
            throw new IllegalArgumentException("no node " + node + " in " + lab.fleetFile());
        }
        SshEnvironment env = SshEnvironment.ofCurrentUser().withAgentSocket(Optional.empty());
        SshConfig.Overrides overrides = new SshConfig.Overrides(Optional.of(entry.path("user").asText("root")),
                OptionalInt.of(entry.path("port").asInt(22)), Optional.empty(),
                Optional.of(java.nio.file.Path.of(entry.path("identityFile").asText())),
                Optional.of(java.nio.file.Path.of(entry.path("knownHostsFile").asText())));
        SshConnection connection = new SshConnector().connect(SshConfig.none(env).route(entry.path("host").asText(), overrides),
                SshPrompts.BATCH);
        return new LabAgent(node, connection, environment);
    }

    String node() {
        return node;
    }

    AgentSession session() {
        return session;
    }

    boolean alive() {
        return !session.ended().isDone() && connection.isOpen();
    }

    // ---- events ---------------------------------------------------------------------------------

    private void onEvent(AgentEvent event) {
        synchronized (events) {
            events.add(event);
            events.notifyAll();
        }
    }

    /** Where the event list ends now: await from here to see only what happens next. */
    int mark() {
        synchronized (events) {
            return events.size();
        }
    }

    List<AgentEvent> eventsSince(int mark) {
        synchronized (events) {
            return List.copyOf(events.subList(mark, events.size()));
        }
    }

    /** The first event at or after {@code mark} that matches, waiting for it at most {@code timeout}. */
    <T extends AgentEvent> T await(int mark, Duration timeout, String what, Class<T> type, Predicate<T> wanted) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (events) {
            int next = mark;
            while (true) {
                for (; next < events.size(); next++) {
                    AgentEvent event = events.get(next);
                    if (type.isInstance(event) && wanted.test(type.cast(event))) {
                        return type.cast(event);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(node + ": no event within " + timeout + ": " + what + "; events since: "
                            + describe(events.subList(mark, events.size())));
                }
                try {
                    events.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for " + what, e);
                }
            }
        }
    }

    /** The state event that makes {@code instance} {@code state} on this node. */
    AgentEvent.State awaitState(int mark, Duration timeout, String instance, String state) {
        return await(mark, timeout, instance + " " + state, AgentEvent.State.class,
                e -> e.instance().instance().equals(instance) && e.instance().state().equals(state));
    }

    static String describe(List<AgentEvent> list) {
        List<String> lines = new ArrayList<>();
        for (AgentEvent event : list) {
            if (event instanceof AgentEvent.State s) {
                lines.add("state " + s.daemon() + "/" + s.instance().instance() + " " + s.instance().state() + " " + s.changed());
            } else if (event instanceof AgentEvent.Vip v) {
                lines.add("vip " + v.action() + " " + v.vip().address() + v.vip().reason().map(r -> " " + r).orElse(""));
            } else if (event instanceof AgentEvent.Daemon d) {
                lines.add("daemon " + d.daemon() + " " + d.action());
            } else if (event instanceof AgentEvent.ApplyStepEvent a) {
                lines.add("apply.step " + a.step().path("step").asText() + " " + a.step().path("status").asText());
            }
        }
        return String.join("; ", lines);
    }

    // ---- requests -------------------------------------------------------------------------------

    ObjectNode args() {
        return session.json().createObjectNode();
    }

    JsonNode call(String op, ObjectNode args) throws Exception {
        return unwrap(() -> session.call(op, args, CALL_TIMEOUT).get(CALL_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS));
    }

    /** The request's error, failing if it succeeded. */
    AgentException error(String op, ObjectNode args) throws Exception {
        try {
            JsonNode result = call(op, args);
            throw new AssertionError(node + ": " + op + " succeeded, expected an error: " + result);
        } catch (AgentException e) {
            return e;
        }
    }

    StateSnapshot snapshot() throws Exception {
        ObjectNode args = args().put("fresh", true);
        return session.json().treeToValue(call("state.snapshot", args), StateSnapshot.class);
    }

    /** The daemon's main pid as the agent found it in /proc. */
    int pid(String daemon) throws Exception {
        for (JsonNode d : call("daemons", args()).path("daemons")) {
            if (d.path("name").asText().equals(daemon)) {
                return d.path("pid").asInt();
            }
        }
        throw new AssertionError(node + ": no daemon " + daemon);
    }

    /** The daemon's main config file: {@code path}, {@code text}, {@code sha256}. */
    JsonNode mainFile(String daemon) throws Exception {
        JsonNode read = call("config.read", args().put("daemon", daemon));
        String main = read.path("main").asText(read.path("files").path(0).path("path").asText());
        for (JsonNode file : read.path("files")) {
            if (file.path("path").asText().equals(main)) {
                return file;
            }
        }
        throw new AssertionError(node + ": config.read has no main file: " + read);
    }

    ObjectNode applyArgs(String daemon, String text, String baseSha256) {
        return args().put("daemon", daemon).put("text", text).put("base_sha256", baseSha256).put("reason", "AgentLabTest");
    }

    /** A command on the node (through this SSH connection): its stdout; fails on a non-zero exit. */
    String shell(String command) throws IOException {
        try (RemoteProcess process = connection.exec(command)) {
            process.stdin().close();
            String out = new String(process.stdout().readAllBytes(), StandardCharsets.UTF_8);
            byte[] err = process.stderr().readAllBytes();
            Optional<Integer> status = process.waitFor(Duration.ofSeconds(30));
            if (status.isEmpty() || status.get() != 0) {
                throw new AssertionError(node + ": `" + command + "` exited " + status + ": " + new String(err, StandardCharsets.UTF_8));
            }
            return out;
        }
    }

    SshConnection connection() {
        return connection;
    }

    @Override
    public void close() {
        session.close();
        connection.close();
    }

    // ---- helpers --------------------------------------------------------------------------------

    interface Call<T> {
        T get() throws InterruptedException, ExecutionException, TimeoutException;
    }

    static <T> T unwrap(Call<T> call) throws Exception {
        try {
            return call.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }
}
