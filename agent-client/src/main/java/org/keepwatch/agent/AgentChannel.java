package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON lines with the agent: requests {@code {"id":N,"op":...,"args":{...}}} out, responses
 * matched back to their request by id, events handed to a listener in arrival order.
 *
 * <p>One reader thread per channel reads stdout; another keeps the last lines of stderr (the
 * agent's log) so a failure can say what the agent said. Each request has its own timeout;
 * cancelling a request's future forgets it (a late answer is dropped).
 *
 * <p>Whatever a node sends takes a bounded part of the heap that every session and the UI share: a protocol line
 * at most {@link #MAX_LINE_BYTES}, a log line {@link #MAX_LOG_LINE_BYTES}. A line over the limit that answers one
 * of this channel's requests fails that request and the session goes on; any other is a protocol violation, which
 * ends the session at once, as does anything thrown in a reader.
 */
public final class AgentChannel implements AutoCloseable {

    /**
     * The longest line read from the agent: its own bound on a request line (docs/protocol.md, Framing), held for
     * answers and events too. A snapshot takes some 1.6 KB a Neutron router (records as in docs/protocol.md, three
     * VIPs each), so this holds about 2,500 routers of one node.
     */
    public static final int MAX_LINE_BYTES = 4 * 1024 * 1024;
    /**
     * How much more of an over-long answer to one of our requests is read and dropped so that the session can go on
     * (a config.read of many large includes); an answer longer still is a protocol violation.
     */
    static final long MAX_SKIPPED_BYTES = 64L * 1024 * 1024;
    /** A log line (stderr) is kept up to here and cut; its rest is read and dropped. */
    static final int MAX_LOG_LINE_BYTES = 4 * 1024;
    static final String CUT_MARK = " [cut: the line went on]";
    private static final Logger log = LoggerFactory.getLogger(AgentChannel.class);
    private static final int STDERR_LINES_KEPT = 40;
    /** The agent writes a response's id first: {@code {"id": 7, "ok": ...}}. */
    private static final Pattern ANSWER_ID = Pattern.compile("^\\{\\s*\"id\"\\s*:\\s*(\\d{1,18})\\s*,");
    private static final int ANSWER_ID_BYTES = 256;

    /** A request waiting for its answer, and its op, so that a failure can name it. */
    private record Pending(String op, CompletableFuture<JsonNode> answer) {
    }

    /** What the agent sent breaks the protocol; its message says what, naming the node. */
    private static final class ProtocolViolation extends IOException {
        ProtocolViolation(String message) {
            super(message);
        }
    }

    private final String name;

    private final AgentStreams streams;
    private final ObjectMapper json;
    private final Consumer<JsonNode> events;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
    private final CompletableFuture<SessionEnd> ended = new CompletableFuture<>();
    private final OutputStream out;
    private final Object writeLock = new Object();

    /**
     * @param events called on the reader thread for every event line, in order; keep it quick
     * @param name   the node, as reasons and errors name it
     */
    public AgentChannel(AgentStreams streams, ObjectMapper json, Consumer<JsonNode> events, String name) {
        this.name = name;
        this.streams = streams;
        this.json = json;
        this.events = events;
        this.out = streams.stdin();
        Thread reader = new Thread(this::readResponses, "agent-" + name);
        reader.setDaemon(true);
        reader.start();
        Thread logs = new Thread(this::readLog, "agent-" + name + "-log");
        logs.setDaemon(true);
        logs.start();
    }

    /** Sends a request; the future completes with its result, or fails with an {@link AgentException}. */
    public CompletableFuture<JsonNode> call(String op, ObjectNode args, Duration timeout) {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        if (ended.isDone()) {
            answer.completeExceptionally(new AgentGoneException("the agent has ended: " + ended.join().reason()));
            return answer;
        }
        pending.put(id, new Pending(op, answer));
        answer.whenComplete((result, error) -> pending.remove(id));
        ObjectNode request = json.createObjectNode();
        request.put("id", id);
        request.put("op", op);
        request.set("args", args == null ? json.createObjectNode() : args);
        try {
            byte[] line = (json.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (writeLock) {
                out.write(line);
                out.flush();
            }
        } catch (IOException e) {
            answer.completeExceptionally(new AgentGoneException("cannot send " + op + " to the agent: " + e.getMessage()));
            return answer;
        }
        answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally(error -> {
            if (error instanceof TimeoutException) {
                log.debug("{} (id {}) timed out after {}", op, id, timeout);
            }
            return null;
        });
        return answer;
    }

    /** Completes when the session ends: the agent's stdout ended, Keepwatch closed it, or the agent broke the protocol. */
    public CompletableFuture<SessionEnd> ended() {
        return ended;
    }

    /** The agent's last log lines (stderr), oldest first. */
    public List<String> recentLog() {
        synchronized (stderrTail) {
            return List.copyOf(stderrTail);
        }
    }

    /** Closes stdin, which tells the agent to finish, then closes the channel. */
    @Override
    public void close() {
        try {
            synchronized (writeLock) {
                out.close();
            }
        } catch (IOException e) {
            log.debug("closing the agent's stdin: {}", e.getMessage());
        }
        try {
            streams.waitFor(Duration.ofSeconds(2));
            streams.close();
        } catch (IOException e) {
            log.debug("closing the agent: {}", e.getMessage());
        }
        finish(new SessionEnd("closed by Keepwatch", false));
    }

    private void readResponses() {
        // Closed only after the session's end is set: closing the agent's output ends the channel, and the server
        // may then close the connection, which must not be taken for the cause (a broken protocol would look like a
        // lost link, and the node would be retried at once).
        InputStream stdout = streams.stdout();
        try {
            LineReader lines = new LineReader(stdout, MAX_LINE_BYTES);
            for (Optional<LineReader.Line> line = lines.next(); line.isPresent(); line = lines.next()) {
                if (line.get().cut()) {
                    refuseLongLine(line.get().bytes(), lines);
                } else {
                    dispatch(line.get().bytes());
                }
            }
            finish(new SessionEnd("the agent closed its output" + lastLogLine(), false));
        } catch (ProtocolViolation e) {
            log.warn("{}; ending the session", e.getMessage());
            endNow(new SessionEnd(e.getMessage(), true));
        } catch (IOException e) {
            finish(new SessionEnd("the agent's channel failed: " + e.getMessage() + lastLogLine(), false));
        } catch (Throwable e) {
            // An Error (or a bug) here leaves nobody reading answers and heartbeats: end now, not at the watchdog.
            log.error("{}: reading the agent's output failed", name, e);
            endNow(new SessionEnd(name + ": reading the agent's output failed: " + e, false));
        } finally {
            try {
                stdout.close();
            } catch (IOException e) {
                log.debug("closing the agent's output: {}", e.getMessage());
            }
        }
    }

    /**
     * A line over {@link #MAX_LINE_BYTES}. An answer to one of this channel's requests (late ones too) fails that
     * request and is skipped, so the session goes on: the agent did what it was asked, and the node's monitoring
     * should not drop because its configuration is large. Anything else breaks the protocol.
     */
    private void refuseLongLine(byte[] head, LineReader lines) throws IOException {
        Optional<Long> id = answerId(head).filter(n -> n >= 1 && n <= ids.get());
        if (id.isEmpty()) {
            throw new ProtocolViolation(name + ": the agent sent a line over " + mebibytes(MAX_LINE_BYTES)
                    + ", more than the protocol allows");
        }
        Pending waiting = pending.get(id.get());
        if (waiting != null) {
            waiting.answer().completeExceptionally(new AgentException("too_large", name + ": the answer to "
                    + waiting.op() + " is over " + mebibytes(MAX_LINE_BYTES) + ", more than Keepwatch reads in one "
                    + "line; nothing of it was kept", null));
        }
        if (!lines.skipLine(MAX_SKIPPED_BYTES)) {
            throw new ProtocolViolation(name + ": the agent sent an answer over "
                    + mebibytes(MAX_LINE_BYTES + MAX_SKIPPED_BYTES) + " in one line, more than the protocol allows");
        }
    }

    private static Optional<Long> answerId(byte[] head) {
        Matcher m = ANSWER_ID.matcher(new String(head, 0, Math.min(head.length, ANSWER_ID_BYTES), StandardCharsets.ISO_8859_1));
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    private static String mebibytes(long bytes) {
        return bytes / (1024 * 1024) + " MiB";
    }

    private void dispatch(byte[] line) {
        JsonNode message;
        try {
            message = json.readTree(line);
        } catch (IOException e) {
            log.warn("agent wrote a line that is not JSON: {}", new String(line, 0, Math.min(line.length, 200), StandardCharsets.UTF_8));
            return;
        }
        if (message == null || !message.isObject()) {
            return;
        }
        if (message.has("event")) {
            try {
                events.accept(message);
            } catch (RuntimeException e) {
                log.error("event listener failed on {}", message.path("event").asText(), e);
            }
            return;
        }
        Pending waiting = pending.get(message.path("id").asLong(-1));
        if (waiting == null) {
            return; // cancelled, timed out, or not ours
        }
        CompletableFuture<JsonNode> answer = waiting.answer();
        if (message.path("ok").asBoolean(false)) {
            answer.complete(message.path("result"));
        } else {
            JsonNode error = message.path("error");
            answer.completeExceptionally(new AgentException(error.path("code").asText("internal"),
                    error.path("message").asText("the agent reported an error without a message"),
                    error.get("details")));
        }
    }

    private void readLog() {
        try (InputStream stderr = streams.stderr()) {
            LineReader lines = new LineReader(stderr, MAX_LOG_LINE_BYTES);
            for (Optional<LineReader.Line> read = lines.next(); read.isPresent(); read = lines.next()) {
                String line = new String(read.get().bytes(), StandardCharsets.UTF_8);
                if (read.get().cut()) {
                    lines.skipLine(Long.MAX_VALUE);     // the log is for people: its rest costs time, not memory
                    line += CUT_MARK;
                }
                log.debug("agent: {}", line);
                synchronized (stderrTail) {
                    stderrTail.addLast(line);
                    if (stderrTail.size() > STDERR_LINES_KEPT) {
                        stderrTail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            log.debug("agent log ended: {}", e.getMessage());
        } catch (Throwable e) {
            log.error("{}: reading the agent's log failed", name, e);
            endNow(new SessionEnd(name + ": reading the agent's log failed: " + e, false));
        }
    }

    private String lastLogLine() {
        List<String> tail = recentLog();
        return tail.isEmpty() ? "" : " (last log line: " + tail.get(tail.size() - 1) + ")";
    }

    private void finish(SessionEnd end) {
        if (ended.complete(end)) {
            AgentGoneException gone = new AgentGoneException(end.reason());
            pending.values().forEach(p -> p.answer().completeExceptionally(gone));
            pending.clear();
        }
    }

    /** Ends the session and the agent's process or channel at once: nothing more is read from it. */
    private void endNow(SessionEnd end) {
        finish(end);
        try {
            streams.close();
        } catch (IOException | RuntimeException e) {
            log.debug("closing the agent: {}", e.getMessage());
        }
    }
}
