package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * JSON lines with the agent: requests {@code {"id":N,"op":...,"args":{...}}} out, responses
 * matched back to their request by id, events handed to a listener in arrival order.
 *
 * <p>One reader thread per channel reads stdout; another keeps the last lines of stderr (the
 * agent's log) so a failure can say what the agent said. Each request has its own timeout;
 * cancelling a request's future forgets it (a late answer is dropped).
 */
public final class AgentChannel implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AgentChannel.class);
    private static final int STDERR_LINES_KEPT = 40;

    private final AgentStreams streams;
    private final ObjectMapper json;
    private final Consumer<JsonNode> events;
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    private final OutputStream out;
    private final Object writeLock = new Object();

    /**
     * @param events called on the reader thread for every event line, in order; keep it quick
     */
    public AgentChannel(AgentStreams streams, ObjectMapper json, Consumer<JsonNode> events, String name) {
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
            answer.completeExceptionally(new AgentGoneException("the agent has ended: " + ended.join()));
            return answer;
        }
        pending.put(id, answer);
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

    /** Completes when the agent's stdout ends, with why. */
    public CompletableFuture<String> ended() {
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
        finish("closed by Keepwatch");
    }

    private void readResponses() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(streams.stdout(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                dispatch(line);
            }
            finish("the agent closed its output" + lastLogLine());
        } catch (IOException e) {
            finish("the agent's channel failed: " + e.getMessage() + lastLogLine());
        }
    }

    private void dispatch(String line) {
        JsonNode message;
        try {
            message = json.readTree(line);
        } catch (IOException e) {
            log.warn("agent wrote a line that is not JSON: {}", line.length() > 200 ? line.substring(0, 200) : line);
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
        CompletableFuture<JsonNode> answer = pending.get(message.path("id").asLong(-1));
        if (answer == null) {
            return; // cancelled, timed out, or not ours
        }
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
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(streams.stderr(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
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
        }
    }

    private String lastLogLine() {
        List<String> tail = recentLog();
        return tail.isEmpty() ? "" : " (last log line: " + tail.get(tail.size() - 1) + ")";
    }

    private void finish(String why) {
        if (ended.complete(why)) {
            AgentGoneException gone = new AgentGoneException(why);
            pending.values().forEach(f -> f.completeExceptionally(gone));
            pending.clear();
        }
    }
}
