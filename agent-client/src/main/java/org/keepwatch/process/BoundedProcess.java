package org.keepwatch.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a desktop helper (secret-tool, gsettings) for at most a deadline, output included. Its output is read on
 * threads of their own, since a helper that never exits (a keyring nobody unlocks, a hung D-Bus) never ends its
 * output either, and reading it first would wait for ever. On the deadline the helper is killed, with anything
 * it started that might hold its output open. At most {@code maxOutputBytes} of each stream are read.
 */
public final class BoundedProcess {

    /** What a run gave: {@code started} is false when the program could not be run at all. */
    public record Outcome(boolean started, boolean timedOut, int exit, byte[] stdout, String stderr) {
        public boolean succeeded() {
            return started && !timedOut && exit == 0;
        }
    }

    private final Map<String, String> environment;
    private final Duration timeout;
    private final int maxOutputBytes;

    /** @param environment the whole environment of the helper (nothing else of ours is passed on) */
    public BoundedProcess(Map<String, String> environment, Duration timeout, int maxOutputBytes) {
        this.environment = Map.copyOf(environment);
        this.timeout = timeout;
        this.maxOutputBytes = maxOutputBytes;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Runs {@code command} (never through a shell), writing {@code input} to its stdin when not null. */
    public Outcome run(List<String> command, byte[] input) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(environment);
        long deadline = System.nanoTime() + timeout.toNanos();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new Outcome(false, false, -1, new byte[0], String.valueOf(e.getMessage()));
        }
        CompletableFuture<byte[]> stdout = drain(process.getInputStream(), command.get(0) + "-out");
        CompletableFuture<byte[]> stderr = drain(process.getErrorStream(), command.get(0) + "-err");
        try {
            try (OutputStream stdin = process.getOutputStream()) {
                if (input != null) {
                    stdin.write(input);
                }
            }
            if (!process.waitFor(remaining(deadline), TimeUnit.NANOSECONDS)) {
                throw new TimeoutException();
            }
            byte[] out = stdout.get(remaining(deadline), TimeUnit.NANOSECONDS);
            String err = new String(stderr.get(remaining(deadline), TimeUnit.NANOSECONDS), StandardCharsets.UTF_8);
            return new Outcome(true, false, process.exitValue(), out, err);
        } catch (TimeoutException e) {
            kill(process, stdout);
            return new Outcome(true, true, -1, new byte[0], command.get(0) + " did not answer within "
                    + timeout.toMillis() + " ms");
        } catch (IOException | ExecutionException e) {
            kill(process, stdout);
            return new Outcome(false, false, -1, new byte[0], String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(process, stdout);
            return new Outcome(false, false, -1, new byte[0], "interrupted");
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /** Reads a stream to its end (at most the limit) on a daemon thread of its own. */
    private CompletableFuture<byte[]> drain(InputStream in, String name) {
        CompletableFuture<byte[]> bytes = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (in) {
                bytes.complete(in.readNBytes(maxOutputBytes));
            } catch (IOException e) {
                bytes.completeExceptionally(e);
            }
        }, name);
        reader.setDaemon(true);
        reader.start();
        return bytes;
    }

    /** Kills the helper and what it started, and clears whatever it writes after we stopped listening (a secret). */
    private static void kill(Process process, CompletableFuture<byte[]> stdout) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        stdout.thenAccept(late -> Arrays.fill(late, (byte) 0));
    }
}
