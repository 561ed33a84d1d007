package org.keepwatch.app.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.keepwatch.fleet.Verdict;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code keepwatch status --watch --json} in a JVM of its own, as an operator's terminal or a monitoring job runs
 * it: its first report, then one JSON line per event. Keeps which alarm each router has raised and not cleared,
 * and every alarm line as it came.
 */
final class StatusWatch implements AutoCloseable {

    /** An alarm line: when it was read (System.nanoTime), raised or cleared, the verdict and the router. */
    record AlarmLine(long readAt, boolean raised, Verdict verdict, String router) {
    }

    private final Process process;
    private final Map<String, Verdict> raised = new ConcurrentHashMap<>();
    private final List<AlarmLine> alarms = new CopyOnWriteArrayList<>();
    private final AtomicInteger unreadable = new AtomicInteger();
    private final Thread reader;
    private volatile boolean firstReport;

    StatusWatch(String classpath, Path fleetFile) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        process = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp", classpath,
                "org.keepwatch.cli.Main", "status", "--watch", "--json", "--fleet", fleetFile.toString(), "--timeout", "30")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        process.getOutputStream().close();
        reader = new Thread(this::read, "status-watch");
        reader.setDaemon(true);
        reader.start();
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    boolean started() {
        return firstReport;
    }

    /** The alarms raised and not cleared, by router label. */
    Map<String, Verdict> raised() {
        return Map.copyOf(raised);
    }

    List<AlarmLine> alarms() {
        return List.copyOf(alarms);
    }

    int unreadableLines() {
        return unreadable.get();
    }

    private void read() {
        ObjectMapper json = new ObjectMapper();
        try (MappingIterator<JsonNode> values = json.readerFor(JsonNode.class).readValues(process.getInputStream())) {
            while (values.hasNextValue()) {
                JsonNode value = values.nextValue();
                if (value.has("routers")) {
                    for (JsonNode router : value.path("routers")) {
                        Verdict verdict = Verdict.valueOf(router.path("verdict").asText());
                        if (verdict.alarming()) {
                            raised.put(router.path("router").asText(), verdict);
                        }
                    }
                    firstReport = true;
                } else {
                    alarm(value.path("event").asText()).ifPresent(this::record);
                }
            }
        } catch (IOException | RuntimeException e) {
            unreadable.incrementAndGet();
        }
    }

    private void record(AlarmLine line) {
        alarms.add(line);
        if (line.raised()) {
            raised.put(line.router(), line.verdict());
        } else {
            raised.remove(line.router(), line.verdict());
        }
    }

    /** "ALARM SPLIT_BRAIN VRID 51: reasons" or "cleared SPLIT_BRAIN VRID 51: reasons"; any other event is none. */
    static Optional<AlarmLine> alarm(String event) {
        boolean raised = event.startsWith("ALARM ");
        if (!raised && !event.startsWith("cleared ")) {
            return Optional.empty();
        }
        String rest = event.substring(event.indexOf(' ') + 1);
        int space = rest.indexOf(' ');
        int colon = rest.indexOf(": ");
        String router = rest.substring(space + 1, colon < 0 ? rest.length() : colon);
        return Optional.of(new AlarmLine(System.nanoTime(), raised, Verdict.valueOf(rest.substring(0, space)), router));
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }

    /** Both as lists for a report. */
    static List<String> describe(Map<String, Verdict> alarms) {
        List<String> out = new ArrayList<>();
        alarms.forEach((router, verdict) -> out.add(verdict + " " + router));
        return out;
    }
}
