package org.keepwatch.agent;

import org.keepwatch.ssh.RemoteProcess;

import java.io.FilterInputStream;
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

            private final InputStream stdout = endsWithProcess(process, process.getInputStream());
            private final InputStream stderr = endsWithProcess(process, process.getErrorStream());

            @Override
            public InputStream stdout() {
                return stdout;
            }

            @Override
            public InputStream stderr() {
                return stderr;
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

    /** How long a closed pipe waits for its process to be gone before the close counts as a failure. */
    Duration PIPE_CLOSED_GRACE = Duration.ofSeconds(1);

    /**
     * A local process's pipe as an exec channel's stream: when the process is destroyed (or has
     * exited), the JDK closes the pipe under a reader, which then sees "Stream closed" where an exec
     * channel gives end of input. If the process is gone, that is the end of output here too.
     */
    private static InputStream endsWithProcess(Process process, InputStream pipe) {
        return new FilterInputStream(pipe) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (IOException e) {
                    return endOrRethrow(e);
                }
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                try {
                    return super.read(buffer, offset, length);
                } catch (IOException e) {
                    return endOrRethrow(e);
                }
            }

            private int endOrRethrow(IOException e) throws IOException {
                try {
                    if (process.waitFor(PIPE_CLOSED_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                        return -1;
                    }
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
                throw e;
            }
        };
    }
}
