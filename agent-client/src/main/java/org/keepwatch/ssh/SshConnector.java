package org.keepwatch.ssh;

import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.keepalive.KeepAliveRunner;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.OpenFailException;
import net.schmizz.sshj.connection.channel.direct.DirectConnection;
import net.schmizz.sshj.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Opens SSH connections to resolved targets, hop by hop through their ProxyJump chain. Each hop's host key is
 * checked against that hop's known_hosts with that hop's StrictHostKeyChecking (as OpenSSH's nested ssh does), so
 * a jump host with a changed key stops the chain before anything is sent to it. One connector serves many
 * connections at once; it holds no per-connection state.
 */
public final class SshConnector {

    private static final Logger log = LoggerFactory.getLogger(SshConnector.class);

    private final Settings settings;
    private final DefaultConfig sshj;
    private final KnownHostsWriter knownHostsWriter = new KnownHostsWriter();
    private final KnownHostsCache knownHostsCache = new KnownHostsCache();
    private final CertificateVerifier certificates = new CertificateVerifier(Clock.systemUTC());
    private final IdentityKeys identityKeys = new IdentityKeys(Clock.systemUTC());

    /**
     * @param defaultConnectTimeout TCP connect and SSH handshake limit when the target sets no ConnectTimeout
     * @param responseTimeout       how long to wait for the server's answers once connected (key exchange,
     *                              authentication, channel requests) when nobody is being asked anything
     * @param promptTimeout         the same limit while a prompt may be waiting for a person
     */
    public record Settings(Duration defaultConnectTimeout, Duration responseTimeout, Duration promptTimeout) {
        public Settings {
            Objects.requireNonNull(defaultConnectTimeout);
            Objects.requireNonNull(responseTimeout);
            Objects.requireNonNull(promptTimeout);
        }

        /** 15 s to connect (OpenSSH waits for the OS), 30 s for answers, 5 min while a person may be asked. */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(5));
        }
    }

    public SshConnector() {
        this(Settings.defaults());
    }

    public SshConnector(Settings settings) {
        this.settings = settings;
        this.sshj = new DefaultConfig();
        // KEEP_ALIVE counts unanswered keepalives (ServerAliveCountMax) instead of only sending them.
        this.sshj.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
        // SSHJ checks host certificates in some key exchanges only (never in diffie-hellman-group-exchange-*),
        // and where it does, a failure ends the connection untyped. KnownHostsVerifier checks every certificate
        // itself (CertificateVerifier), in every key exchange, and judges a failed one as OpenSSH does.
        this.sshj.setVerifyHostKeyCertificates(false);
    }

    /** Resolves {@code alias} in {@code config} and connects through its jump hosts. */
    public SshConnection connect(SshConfig config, String alias, SshPrompts prompts) throws SshException {
        return connect(config.route(alias), prompts);
    }

    /**
     * Connects along {@code route} (jump hosts first, the destination last, as {@link SshConfig#route} gives it)
     * and authenticates on each hop.
     */
    public SshConnection connect(List<SshTarget> route, SshPrompts prompts) throws SshException {
        if (route.isEmpty()) {
            throw new IllegalArgumentException("empty route");
        }
        // Later hops are reached through ProxyJump, which overrides their ProxyCommand as in OpenSSH.
        SshTarget first = route.get(0);
        if (first.proxyCommand().isPresent()) {
            throw new SshException.Unsupported("ProxyCommand (" + first.proxyCommand().get() + ") for "
                    + first.alias() + " is not supported; use ProxyJump");
        }
        List<SSHClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < route.size(); i++) {
                SshTarget hop = route.get(i);
                boolean destination = i == route.size() - 1;
                try {
                    SSHClient previous = clients.isEmpty() ? null : clients.get(clients.size() - 1);
                    String via = i == 0 ? null : route.get(i - 1).alias();
                    clients.add(open(hop, route.subList(0, i), previous, via, prompts, destination ? null : route));
                } catch (SshException e) {
                    if (destination) {
                        throw e;
                    }
                    throw new SshException.JumpHostFailed(i + 1, hop.alias(), e);
                }
            }
            return new SshConnection(route, clients, settings.responseTimeout());
        } catch (SshException | RuntimeException e) {
            for (int i = clients.size() - 1; i >= 0; i--) {
                closeQuietly(clients.get(i));
            }
            throw e;
        }
    }

    private SSHClient open(SshTarget hop, List<SshTarget> through, SSHClient previous, String via, SshPrompts prompts,
                           List<SshTarget> chain)
            throws SshException {
        KnownHostsVerifier verifier = verifier(hop, prompts);
        SSHClient client = new SSHClient(sshj);
        client.addHostKeyVerifier(verifier);
        Duration connectTimeout = hop.connectTimeout().filter(d -> !d.isZero()).orElse(settings.defaultConnectTimeout());
        client.setConnectTimeout(millis(connectTimeout));
        // Bounds the wait for the server's banner and key exchange on a direct socket; lifted once connected.
        client.setTimeout(millis(connectTimeout));
        boolean mayPrompt = prompts != SshPrompts.BATCH;
        client.getTransport().setTimeoutMs(millis(mayPrompt ? settings.promptTimeout() : settings.responseTimeout()));
        if (!hop.serverAliveInterval().isZero()) {
            KeepAliveRunner keepAlive = (KeepAliveRunner) client.getConnection().getKeepAlive();
            keepAlive.setKeepAliveInterval((int) Math.max(1, hop.serverAliveInterval().toSeconds()));
            keepAlive.setMaxAliveCount(Math.max(1, hop.serverAliveCountMax()));
        }
        try {
            if (previous == null) {
                // Never let Java read a numeric host its own way: ssh reads 010.0.0.1 as 8.0.0.1, Java as 10.0.0.1.
                // (Through a jump host the name goes to that host's sshd as written, as ssh -W sends it.)
                Optional<String> ambiguity = HostLiteral.ambiguity(hop.hostName());
                if (ambiguity.isPresent()) {
                    throw new SshException.Unsupported(hop.alias() + ": " + ambiguity.get());
                }
                client.connect(HostLiteral.socketAddress(hop.hostName()), hop.port());
            } else {
                client.connectVia(forward(previous, via, hop));
            }
            if (client.getSocket() != null) {
                client.getSocket().setSoTimeout(0);
            }
            new Authenticator(hop, through, prompts, identityKeys).authenticate(client);
            client.getTransport().setTimeoutMs(millis(settings.responseTimeout()));
            log.info("Connected to {}{}", hop.displayName(), via == null ? "" : " via " + via);
            return client;
        } catch (SshException e) {
            closeQuietly(client);
            throw e;
        } catch (IOException e) {
            closeQuietly(client);
            throw classify(hop, connectTimeout, verifier, e);
        }
    }

    private static DirectConnection forward(SSHClient jump, String via, SshTarget hop) throws SshException {
        try {
            return jump.newDirectConnection(hop.hostName(), hop.port());
        } catch (OpenFailException e) {
            throw new SshException.ForwardingRefused(via, hop.hostName(), hop.port(), e);
        } catch (IOException e) {
            throw new SshException.ConnectionLost(via, new Disconnect(Disconnect.Reason.TRANSPORT_ERROR,
                    e.getMessage()), e);
        }
    }

    private KnownHostsVerifier verifier(SshTarget hop, SshPrompts prompts) {
        List<Path> files = new ArrayList<>(hop.userKnownHostsFiles());
        files.addAll(hop.globalKnownHostsFiles());
        Optional<Path> saveTo = hop.userKnownHostsFiles().stream().findFirst();
        return new KnownHostsVerifier(hop.hostName(), hop.port(), new KnownHosts(files, knownHostsCache, certificates),
                hop.strictHostKeyChecking(), hop.hashKnownHosts(), saveTo, prompts, knownHostsWriter);
    }

    /** Turns what SSHJ and the socket layer threw into the error a person can act on. */
    private static SshException classify(SshTarget hop, Duration timeout, KnownHostsVerifier verifier,
                                         IOException e) {
        Optional<SshException> refusal = verifier.refusal();
        if (refusal.isPresent()) {
            return refusal.get();
        }
        String host = hop.hostName();
        if (e instanceof UnknownHostException) {
            return new SshException.UnknownHost(host, e);
        }
        if (e instanceof NoRouteToHostException) {
            return new SshException.HostUnreachable(host, hop.port(), e);
        }
        if (e instanceof SocketTimeoutException || e.getCause() instanceof SocketTimeoutException) {
            return new SshException.ConnectTimeout(host, hop.port(), timeout, e);
        }
        if (e instanceof ConnectException) {
            String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("refused")) {
                return new SshException.ConnectionRefused(host, hop.port(), e);
            }
            return new SshException.HostUnreachable(host, hop.port(), e);
        }
        if (e instanceof TransportException) {
            return new SshException.ConnectionLost(host, SshConnection.disconnectOf(
                    ((TransportException) e).getDisconnectReason(), e.getMessage(), false), e);
        }
        return new SshException.ConnectionLost(host, new Disconnect(Disconnect.Reason.TRANSPORT_ERROR,
                e.getMessage()), e);
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    static void closeQuietly(SSHClient client) {
        try {
            client.close();
        } catch (IOException | RuntimeException e) {
            log.debug("closing SSH client: {}", e.getMessage());
        }
    }
}
