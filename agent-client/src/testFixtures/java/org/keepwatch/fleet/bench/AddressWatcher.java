package org.keepwatch.fleet.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ground truth for "the address appeared on the node", independent of Keepwatch: {@code ip -ts -o
 * -n kw-NODE monitor address} in the root namespace, which stamps each RTM_NEWADDR/RTM_DELADDR of
 * the node's namespace with the wall clock as it reads it (all namespaces share this clock).
 */
public final class AddressWatcher implements AutoCloseable {

    /** An address added to or deleted from an interface of {@code node} at {@code at}. */
    public record Change(String node, Instant at, boolean added, String address) {
    }

    // [2026-11-26T11:29:15.161909] Deleted 2: eth0    inet 10.77.0.101/24 scope global secondary eth0 ...
    private static final Pattern LINE = Pattern.compile(
            "^\\[(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+)]\\s+(Deleted\\s+)?\\d+:\\s+\\S+\\s+inet6?\\s+([^/\\s]+)");

    private final String node;
    private final Process process;
    private final BlockingQueue<Change> changes = new LinkedBlockingQueue<>();
    private final ZoneId zone = ZoneId.systemDefault();

    public AddressWatcher(String node) throws IOException {
        this.node = node;
        this.process = new ProcessBuilder(List.of("ip", "-ts", "-o", "-n", "kw-" + node, "monitor", "address"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        process.getOutputStream().close();
        Thread reader = new Thread(this::read, "bench-ip-monitor-" + node);
        reader.setDaemon(true);
        reader.start();
    }

    /** Forgets what was seen so far. */
    public void clear() {
        changes.clear();
    }

    /** The next change of {@code address} in direction {@code added}, waiting at most {@code timeoutMillis}. */
    public Optional<Change> next(String address, boolean added, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = deadline - System.nanoTime();
            Change change = changes.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (change == null) {
                return Optional.empty();
            }
            if (change.address().equals(address) && change.added() == added) {
                return Optional.of(change);
            }
        }
    }

    private void read() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                Matcher m = LINE.matcher(line);
                if (m.find()) {
                    // ip prints local time (localtime(3)) without an offset; this JVM shares the zone.
                    Instant at = LocalDateTime.parse(m.group(1)).atZone(zone).toInstant();
                    changes.add(new Change(node, at, m.group(2) == null, m.group(3)));
                }
            }
        } catch (IOException e) {
            // the watcher was closed
        }
    }

    @Override
    public void close() {
        process.destroy();
    }
}
