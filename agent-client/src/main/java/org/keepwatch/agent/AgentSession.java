package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keepwatch.ssh.LoginTarget;
import org.keepwatch.ssh.RemoteFiles;
import org.keepwatch.ssh.SshConnection;
import org.keepwatch.ssh.SshException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One agent on one node for the length of an SSH session: started on an exec channel (optionally
 * with {@code sudo -n}) by a command that checks the file's hash first, deployed over SFTP only when
 * that check says it is missing or differs, greeted with {@code hello}, then spoken to with typed
 * requests while its events go to a listener.
 */
public final class AgentSession implements AutoCloseable {

    public static final int PROTOCOL_VERSION = 1;
    private static final Logger log = LoggerFactory.getLogger(AgentSession.class);
    private static final int DIRECTORY_MODE = 0700;
    private static final int FILE_MODE = 0600;
    /** What the agent's bootstrap writes to stderr when the file is missing or not the expected one. */
    static final String NOT_DEPLOYED_MARK = "keepwatch-agent: not deployed:";

    /**
     * @param sudo           run the agent with {@code sudo -n} (for a login that is not root)
     * @param requireRoot    refuse an agent that cannot signal keepalived (off only for read-only uses)
     * @param helloTimeout   how long the agent may take to start and answer hello
     * @param requestTimeout the default for requests
     */
    public record Options(boolean sudo, boolean requireRoot, Duration helloTimeout, Duration requestTimeout) {
        public static Options defaults() {
            return new Options(false, true, Duration.ofSeconds(20), Duration.ofSeconds(30));
        }

        public Options withSudo(boolean useSudo) {
            return new Options(useSudo, requireRoot, helloTimeout, requestTimeout);
        }

        /** The same, accepting an agent that is not root as a read-only session ({@link AgentSession#readOnly()}). */
        public Options readOnlyAllowed() {
            return new Options(sudo, false, helloTimeout, requestTimeout);
        }
    }

    /**
     * What a read-only session still answers: watching, reading and checking. Everything else (config.apply and
     * config.restore, maintenance.*, daemon.*) changes the node and is refused before it is sent.
     */
    static final Set<String> READ_ONLY_OPS = Set.of("hello", "daemons", "state.snapshot", "state.subscribe",
            "state.unsubscribe", "config.read", "config.check", "config.backups", "config.backup.read", "log.read",
            "log.follow", "log.unfollow", "diagnose");
    /** The error code of an operation refused because the session is read-only. */
    public static final String READ_ONLY_CODE = "read_only";

    private final AgentChannel channel;
    private final ObjectMapper json;
    private final Options options;
    private final Hello hello;
    private final Optional<String> readOnly;

    private AgentSession(AgentChannel channel, ObjectMapper json, Options options, Hello hello,
                         Optional<String> readOnly) {
        this.channel = channel;
        this.json = json;
        this.options = options;
        this.hello = hello;
        this.readOnly = readOnly;
    }

    /**
     * Starts the agent over an SSH connection, deploying it first if it is not there.
     *
     * <p>The start command verifies the file's SHA-256 on the node before it runs it (see
     * {@link AgentScript#startCommand}), so the usual session, whose agent is already deployed, needs
     * no SFTP channel and no read of the file over the wire: one exec. A missing or different file
     * makes that command exit with "not deployed"; then the file is uploaded and read back by
     * {@link #deploy}, and started again from the absolute path SFTP reports.
     */
    public static AgentSession open(SshConnection connection, AgentScript script, Options options,
                                    Consumer<AgentEvent> events) throws IOException {
        return open(connection, connection.target().alias(), script, options, SudoPasswords.NONE, events);
    }

    /**
     * As {@link #open(SshConnection, AgentScript, Options, Consumer)}, and when sudo on the node wants a password,
     * asks {@code passwords} for it (see {@link SudoHandshake}). When sudo does not let the login run python3 as
     * root and the options do not require root, the agent runs as the login, read-only ({@link #readOnly()}).
     *
     * @param node the node's name for messages and questions (the fleet's name for it)
     */
    public static AgentSession open(SshConnection connection, String node, AgentScript script, Options options,
                                    SudoPasswords passwords, Consumer<AgentEvent> events) throws IOException {
        try {
            return start(connection, node, script, script.remotePath(), options, passwords, events);
        } catch (NotDeployed e) {
            log.debug("{}", e.getMessage());
        }
        String path = deploy(connection, script);
        try {
            return start(connection, node, script, path, options, passwords, events);
        } catch (NotDeployed e) {
            throw new AgentStartException(AgentStartException.Reason.DEPLOY_FAILED, node + ": the agent deployed to "
                    + path + " still does not start as this client's" + e.lastLine, e);
        }
    }

    /** The start command found no agent file, or another one than this client's (deploying fixes it). */
    static final class NotDeployed extends AgentStartException {
        private final String lastLine;

        NotDeployed(String message, String lastLine, Throwable cause) {
            super(Reason.DEPLOY_FAILED, message, cause);
            this.lastLine = lastLine;
        }
    }

    private static AgentSession start(SshConnection connection, String node, AgentScript script, String path,
                                      Options options, SudoPasswords passwords, Consumer<AgentEvent> events)
            throws IOException {
        LoginTarget login = connection.login();
        if (!options.sudo()) {
            AgentStreams streams = AgentStreams.of(connection.exec(script.startCommand(path, false)));
            return attach(streams, node, options, readOnlyReason(login.user(), node, "sudo is off for this node"), events);
        }
        if (!passwords.known(login)) {
            try {
                AgentStreams streams = AgentStreams.of(connection.exec(script.startCommand(path, true)));
                return attach(streams, node, options, Optional.empty(), events);
            } catch (AgentStartException e) {
                if (e.reason() != AgentStartException.Reason.SUDO_PASSWORD || passwords == SudoPasswords.NONE) {
                    throw e;
                }
                log.info("{}: sudo wants a password for {}", node, login.user());
            }
        }
        SudoHandshake handshake = SudoHandshake.fresh();
        AgentStreams streams = AgentStreams.of(connection.exec(
                script.sudoPasswordStartCommand(path, handshake.prompt(), handshake.ready())));
        try {
            handshake.run(streams, node, login, passwords, options.helloTimeout());
        } catch (AgentStartException e) {
            closeQuietly(streams);
            if (e.reason() != AgentStartException.Reason.NO_SUDO || options.requireRoot()) {
                throw e;
            }
            log.info("{}: {}; the agent runs as {}, read-only", node, e.getMessage(), login.user());
            AgentStreams plain = AgentStreams.of(connection.exec(script.startCommand(path, false)));
            return attach(plain, node, options, readOnlyReason(login.user(), node, "sudo does not let it run python3 "
                    + "as root"), events);
        }
        return attach(streams, node, options, Optional.empty(), events);
    }

    /**
     * What a session whose agent is not root says of itself: what it still does and what it cannot. Not root, the
     * agent reads the configuration (keepalived's files are world-readable as installed) and the addresses on the
     * node's interfaces, but cannot look at keepalived's process (/proc/PID/exe) nor signal it for its state dumps: it
     * would call a running keepalived not running. So the fleet does not watch such a node's instances (its routers
     * count it as unread), and it changes nothing.
     */
    static Optional<String> readOnlyReason(String user, String node, String why) {
        return Optional.of("read-only: " + user + " on " + node + " has no sudo (" + why + "); keepalived's state "
                + "needs root, so its instances are not watched (its configuration can still be read), and nothing "
                + "can be changed");
    }

    private static void closeQuietly(AgentStreams streams) {
        try {
            streams.close();
        } catch (IOException e) {
            log.debug("closing the agent's streams: {}", e.getMessage());
        }
    }

    /** Greets an agent that is already running on the given streams (a local process in tests). */
    public static AgentSession attach(AgentStreams streams, String name, Options options, Consumer<AgentEvent> events)
            throws AgentStartException {
        return attach(streams, name, options, Optional.empty(), events);
    }

    /**
     * @param readOnly what to say of the session when the agent is not root and the options allow that (empty: the
     *                 default words)
     */
    static AgentSession attach(AgentStreams streams, String name, Options options, Optional<String> readOnly,
                               Consumer<AgentEvent> events) throws AgentStartException {
        ObjectMapper json = ProtocolJson.mapper();
        AgentChannel channel = new AgentChannel(streams, json, line -> events.accept(AgentEvent.parse(line, json)), name);
        Hello hello;
        try {
            ObjectNode client = json.createObjectNode();
            ObjectNode about = client.putObject("client").put("name", "keepwatch").put("protocol", PROTOCOL_VERSION);
            Operator operator = Operator.ofThisWorkstation();
            about.putObject("operator").put("user", operator.user()).put("workstation", operator.workstation());
            JsonNode answer = channel.call("hello", client, options.helloTimeout())
                    .get(options.helloTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            hello = json.treeToValue(answer, Hello.class);
        } catch (ExecutionException | TimeoutException | IOException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            SessionEnd end = channel.ended().getNow(null);
            if (end != null && end.protocolViolation()) {
                channel.close();
                throw new AgentStartException(AgentStartException.Reason.PROTOCOL_VIOLATION, end.reason(), cause);
            }
            List<String> log = waitForLog(channel);
            channel.close();
            throw startFailure(name, cause, log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.close();
            throw new AgentStartException(AgentStartException.Reason.NO_ANSWER, "interrupted while starting the agent", e);
        }
        if (hello.protocol() != PROTOCOL_VERSION) {
            channel.close();
            throw new AgentStartException(AgentStartException.Reason.PROTOCOL_MISMATCH, name + ": the agent speaks protocol "
                    + hello.protocol() + ", this Keepwatch speaks " + PROTOCOL_VERSION, null);
        }
        if (options.requireRoot() && !hello.root()) {
            channel.close();
            throw new AgentStartException(AgentStartException.Reason.NOT_ROOT, name + ": the agent runs as "
                    + hello.user().orElse("an unprivileged user") + ", not root, so it cannot signal keepalived or "
                    + "change its configuration; log in as root or turn on sudo for this node "
                    + "(it needs passwordless sudo: sudo -n)", null);
        }
        Optional<String> limited = hello.root() ? Optional.empty()
                : readOnly.or(() -> readOnlyReason(hello.user().orElse("the login"), name, "not root"));
        return new AgentSession(channel, json, options, hello, limited);
    }

    /**
     * Puts the agent at {@link AgentScript#remotePath()} unless a file with its exact hash is already
     * there, verifies what was written, and returns the absolute path. After writing a new version it removes other
     * versions' files untouched for a month ({@link StaleAgentFiles}).
     */
    public static String deploy(SshConnection connection, AgentScript script) throws IOException {
        try (RemoteFiles files = connection.sftp()) {
            String path = script.remotePath();
            Optional<RemoteFiles.FileInfo> existing = files.stat(path);
            boolean current = existing.isPresent() && existing.get().size() == script.content().length
                    && files.sha256(path).equals(script.sha256());
            if (!current) {
                files.mkdirs(AgentScript.REMOTE_DIRECTORY);
                files.chmod(AgentScript.REMOTE_DIRECTORY, DIRECTORY_MODE);
                String written = files.upload(new ByteArrayInputStream(script.content()), path, FILE_MODE);
                String readBack = files.sha256(path);
                if (!written.equals(script.sha256()) || !readBack.equals(script.sha256())) {
                    throw new AgentStartException(AgentStartException.Reason.DEPLOY_FAILED, "the agent uploaded to "
                            + connection.target().alias() + ":" + path + " reads back with SHA-256 " + readBack
                            + ", not " + script.sha256(), null);
                }
                log.info("deployed the agent to {}:{}", connection.target().alias(), path);
                List<String> stale = StaleAgentFiles.prune(files, script, Clock.systemUTC());
                if (!stale.isEmpty()) {
                    log.info("removed {} stale agent file(s) from {}:{}: {}", stale.size(), connection.target().alias(),
                            AgentScript.REMOTE_DIRECTORY, stale);
                }
            }
            return files.home() + "/" + path;
        } catch (SshException e) {
            throw e;
        }
    }

    public Hello hello() {
        return hello;
    }

    /**
     * Why this session is read-only, in words ("read-only: alice on n2 has no sudo (...); keepalived's state needs
     * root, so its instances are not watched (its configuration can still be read), and nothing can be changed"),
     * when its agent is not root; empty for a root agent.
     */
    public Optional<String> readOnly() {
        return readOnly;
    }

    public CompletableFuture<StateSnapshot> subscribe() {
        return typed("state.subscribe", json.createObjectNode(), StateSnapshot.class);
    }

    public CompletableFuture<StateSnapshot> snapshot() {
        return typed("state.snapshot", json.createObjectNode(), StateSnapshot.class);
    }

    public CompletableFuture<JsonNode> daemons() {
        return call("daemons", json.createObjectNode());
    }

    /** Any operation, untyped: config.read, config.check, config.apply, config.backups, config.restore. */
    public CompletableFuture<JsonNode> call(String op, ObjectNode args) {
        return call(op, args, options.requestTimeout());
    }

    public CompletableFuture<JsonNode> call(String op, ObjectNode args, Duration timeout) {
        if (readOnly.isPresent() && !READ_ONLY_OPS.contains(op)) {
            return CompletableFuture.failedFuture(new AgentException(READ_ONLY_CODE, op + " refused: " + readOnly.get(),
                    null));
        }
        return channel.call(op, args, timeout);
    }

    public ObjectMapper json() {
        return json;
    }

    /** Completes when the agent ends, with why (in words) and whether it broke the protocol. */
    public CompletableFuture<SessionEnd> ended() {
        return channel.ended();
    }

    public List<String> recentLog() {
        return channel.recentLog();
    }

    @Override
    public void close() {
        channel.close();
    }

    private <T> CompletableFuture<T> typed(String op, ObjectNode args, Class<T> type) {
        return call(op, args).thenApply(result -> {
            try {
                return json.treeToValue(result, type);
            } catch (IOException e) {
                throw new CompletionException(new AgentException("bad_result", op + " answered something this client cannot read: "
                        + e.getMessage(), null));
            }
        });
    }

    /** The agent died before hello: its stderr says why, give it a moment to arrive. */
    private static List<String> waitForLog(AgentChannel channel) {
        try {
            channel.ended().get(2, TimeUnit.SECONDS);
            Thread.sleep(100);
        } catch (ExecutionException | TimeoutException e) {
            // still running: what it logged so far is what there is
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return channel.recentLog();
    }

    static AgentStartException startFailure(String node, Throwable cause, List<String> log) {
        String text = String.join("\n", log);
        String last = log.isEmpty() ? "" : " (" + log.get(log.size() - 1) + ")";
        if (text.contains(NOT_DEPLOYED_MARK)) {
            return new NotDeployed(node + ": the agent is not deployed" + last, last, cause);
        }
        if (text.contains("a password is required") || text.contains("a terminal is required")) {
            return new AgentStartException(AgentStartException.Reason.SUDO_PASSWORD, node + ": sudo wants a password "
                    + "and nobody can be asked for it here (sudo -n): connect where Keepwatch can ask (the app, or the "
                    + "CLI on a terminal), allow passwordless sudo for python3 there, or log in as root", cause);
        }
        if (text.contains("python3: command not found") || text.contains("python3: not found")
                || text.contains("No such file or directory") && text.contains("python3")) {
            return new AgentStartException(AgentStartException.Reason.NO_PYTHON, node + ": there is no python3 on the node; "
                    + "the agent needs Python 3.6 or newer (apt-get install python3-minimal, dnf install python3)", cause);
        }
        if (text.contains("SyntaxError")) {
            return new AgentStartException(AgentStartException.Reason.NO_PYTHON, node + ": python3 on the node is older "
                    + "than 3.6, which the agent needs" + last, cause);
        }
        String why = cause instanceof TimeoutException ? "the agent did not answer hello in time" : String.valueOf(cause.getMessage());
        String said = why.startsWith("the agent") ? why : "the agent " + why;
        return new AgentStartException(AgentStartException.Reason.NO_ANSWER, node + ": " + said + last, cause);
    }
}
