package org.keepwatch.ssh;

import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.sftp.SFTPClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An authenticated SSH connection to a target (through its jump hosts). Opens exec channels and SFTP sessions;
 * {@link #disconnected()} completes once when the connection ends, saying why, so a supervisor can react without
 * polling. Thread-safe: channels may be opened from any thread.
 */
public final class SshConnection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SshConnection.class);

    private final List<SshTarget> route;
    private final List<SSHClient> clients;
    private final SSHClient client;
    private final Duration responseTimeout;
    private final CompletableFuture<Disconnect> disconnected = new CompletableFuture<>();
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean closing;

    SshConnection(List<SshTarget> route, List<SSHClient> clients, Duration responseTimeout) {
        this.route = List.copyOf(route);
        this.clients = List.copyOf(clients);
        this.client = clients.get(clients.size() - 1);
        this.responseTimeout = responseTimeout;
        for (SSHClient hop : clients) {
            hop.getTransport().setDisconnectListener((reason, message) -> {
                Disconnect disconnect = disconnectOf(reason, message, closing);
                if (disconnected.complete(disconnect) && !closing) {
                    log.warn("Connection to {} ended: {}", target().displayName(), disconnect.description());
                }
                // One hop gone means the chain is gone: release the others (not the dying one, SSHJ is ending it).
                if (released.compareAndSet(false, true)) {
                    closeAllBut(hop);
                }
            });
        }
        // A hop that died between authentication and now would never call the listener.
        if (!clients.stream().allMatch(SSHClient::isConnected)) {
            disconnected.complete(new Disconnect(Disconnect.Reason.TRANSPORT_ERROR, "connection ended while opening"));
        }
    }

    /** The destination. */
    public SshTarget target() {
        return route.get(route.size() - 1);
    }

    /** The login at the end of the route: user, host, port and the jump hosts in front of it. */
    public LoginTarget login() {
        return LoginTarget.of(target(), route.subList(0, route.size() - 1));
    }

    /** Jump hosts first, destination last. */
    public List<SshTarget> route() {
        return route;
    }

    public boolean isOpen() {
        return !disconnected.isDone() && client.isConnected() && client.isAuthenticated();
    }

    /** Completes once, when the connection ends, with how it ended (including our own {@link #close()}). */
    public CompletableFuture<Disconnect> disconnected() {
        return disconnected.copy();
    }

    /** Runs {@code command} on the target (through the user's login shell, as ssh does). */
    public RemoteProcess exec(String command) throws SshException {
        requireOpen();
        Session session = null;
        try {
            session = client.startSession();
            return new RemoteProcess(command, session, session.exec(command));
        } catch (IOException | IllegalStateException e) {
            if (session != null) {
                RemoteProcess.closeQuietly(session);
            }
            throw lost(e);
        }
    }

    /** An SFTP session on the target; close it when done. */
    public RemoteFiles sftp() throws SshException {
        requireOpen();
        try {
            SFTPClient sftp = client.newSFTPClient();
            sftp.getSFTPEngine().setTimeoutMs((int) responseTimeout.toMillis());
            return new RemoteFiles(sftp);
        } catch (IOException | IllegalStateException e) {
            throw lost(e);
        }
    }

    private void requireOpen() throws SshException {
        if (disconnected.isDone()) {
            throw lost(new IOException("connection is closed"));
        }
    }

    /** SSHJ says "Not connected" with an IllegalStateException; callers get the typed loss with its reason. */
    private SshException lost(Exception e) {
        if (e instanceof SshException) {
            return (SshException) e;
        }
        Disconnect why = disconnected.getNow(new Disconnect(Disconnect.Reason.TRANSPORT_ERROR, e.getMessage()));
        return new SshException.ConnectionLost(target().hostName(), why, e);
    }

    @Override
    public void close() {
        closing = true;
        if (released.compareAndSet(false, true)) {
            closeAllBut(null);
        }
        disconnected.complete(new Disconnect(Disconnect.Reason.CLOSED_BY_CLIENT, ""));
    }

    /** Destination first, then the jump hosts back to the first. */
    private void closeAllBut(SSHClient skip) {
        for (int i = clients.size() - 1; i >= 0; i--) {
            if (clients.get(i) != skip) {
                SshConnector.closeQuietly(clients.get(i));
            }
        }
    }

    /** Reads SSHJ's disconnect notice. */
    static Disconnect disconnectOf(DisconnectReason reason, String message, boolean closedByUs) {
        String text = message == null ? "" : message;
        if (closedByUs) {
            return new Disconnect(Disconnect.Reason.CLOSED_BY_CLIENT, text);
        }
        if (text.contains("keep-alive")) {
            return new Disconnect(Disconnect.Reason.KEEPALIVE_TIMEOUT, text);
        }
        if (text.contains("EOF") || (reason != null && reason != DisconnectReason.UNKNOWN)) {
            return new Disconnect(Disconnect.Reason.CLOSED_BY_SERVER, text);
        }
        return new Disconnect(Disconnect.Reason.TRANSPORT_ERROR, text);
    }
}
