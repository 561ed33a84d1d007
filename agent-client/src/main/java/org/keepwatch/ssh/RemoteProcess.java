package org.keepwatch.ssh;

import net.schmizz.sshj.connection.channel.direct.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A command running on an exec channel, with its three streams. Read stdout and stderr on separate threads (or
 * drain both): the channel's window stalls the command when one of them is left unread.
 */
public final class RemoteProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RemoteProcess.class);

    private final String command;
    private final Session session;
    private final Session.Command running;

    RemoteProcess(String command, Session session, Session.Command running) {
        this.command = command;
        this.session = session;
        this.running = running;
    }

    public String command() {
        return command;
    }

    /** The command's standard input; closing it sends EOF. */
    public OutputStream stdin() {
        return running.getOutputStream();
    }

    public InputStream stdout() {
        return running.getInputStream();
    }

    public InputStream stderr() {
        return running.getErrorStream();
    }

    public boolean isRunning() {
        return running.isOpen();
    }

    /**
     * Waits until the command ends and the channel closes, at most {@code timeout}; returns the exit status if the
     * server reported one (a command killed by a signal has none).
     */
    public Optional<Integer> waitFor(Duration timeout) throws IOException {
        running.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return exitStatus();
    }

    /** The exit status, once the server has sent it. */
    public Optional<Integer> exitStatus() {
        return Optional.ofNullable(running.getExitStatus());
    }

    /** Closes the channel; the remote command sees its input and output go away. */
    @Override
    public void close() {
        try {
            running.close();
        } catch (IOException e) {
            log.debug("closing exec channel for {}: {}", command, e.getMessage());
        }
        closeQuietly(session);
    }

    static void closeQuietly(Session session) {
        try {
            session.close();
        } catch (IOException e) {
            log.debug("closing session: {}", e.getMessage());
        }
    }
}
