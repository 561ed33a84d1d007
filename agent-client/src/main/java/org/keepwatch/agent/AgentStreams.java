package org.keepwatch.agent;

import org.keepwatch.ssh.RemoteProcess;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The three streams of a running agent and a way to end it: an exec channel over SSH in production,
 * a local process where the agent runs on this machine (tests, a local keepalived).
 */
public interface AgentStreams extends AutoCloseable {

    OutputStream stdin();

    InputStream stdout();

    InputStream stderr();

    /** Waits for the agent to end, at most {@code timeout}; its exit status if it reported one. */
    Optional<Integer> waitFor(Duration timeout) throws IOException;

    @Override
    void close() throws IOException;

    static AgentStreams of(RemoteProcess process) {
        return new AgentStreams() {
            @Override
            public OutputStream stdin() {
                return process.stdin();
            }

            @Override
            public InputStream stdout() {
                return process.stdout();
            }

            @Override
            public InputStream stderr() {
                return process.stderr();
            }

            @Override
            public Optional<Integer> waitFor(Duration timeout) throws IOException {
                return process.waitFor(timeout);
            }

            @Override
            public void close() throws IOException {
                process.close();
            }
        };
    }

    static AgentStreams of(Process process) {
        return new AgentStreams() {
            @Override
            public OutputStream stdin() {
                return process.getOutputStream();
            }

            @Override
            public InputStream stdout() {
                return process.getInputStream();
            }

            @Override
            public InputStream stderr() {
                return process.getErrorStream();
            }

            @Override
            public Optional<Integer> waitFor(Duration timeout) {
                try {
                    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                            ? Optional.of(process.exitValue()) : Optional.empty();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }

            @Override
            public void close() {
                process.destroy();
            }
        };
    }
}
