package org.keepwatch.ssh;

import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Message;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.AuthKeyboardInteractive;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthNone;
import net.schmizz.sshj.userauth.method.AuthPassword;
import net.schmizz.sshj.userauth.method.AuthPublickey;
import net.schmizz.sshj.userauth.method.ChallengeResponseProvider;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Authenticates one hop in OpenSSH's order: "none" (to learn what the server accepts), then publickey with the
 * keys sshconnect2.c's pubkey_prepare() would offer (agent keys, those named by IdentityFile first in the agent's
 * order, other agent keys unless IdentitiesOnly, then the remaining identity files), then keyboard-interactive,
 * then password. Methods the server does not accept are not tried, so nobody is asked for a useless secret.
 */
final class Authenticator {

    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
    /** OpenSSH's NumberOfPasswordPrompts default, also used for passphrases. */
    private static final int PROMPTS = 3;

    private final SshTarget target;
    private final LoginTarget login;
    private final SshPrompts prompts;
    private final IdentityKeys identityKeys;

    /** @param through the hops before {@code target} on its route, first hop first (a password is asked for all) */
    Authenticator(SshTarget target, List<SshTarget> through, SshPrompts prompts, IdentityKeys identityKeys) {
        this.target = target;
        this.login = LoginTarget.of(target, through);
        this.prompts = prompts;
        this.identityKeys = identityKeys;
    }

    void authenticate(SSHClient client) throws SshException {
        List<String> tried = new ArrayList<>();
        UserAuthException last = null;
        try (IssuedSecrets secrets = new IssuedSecrets(); Agent agent = Agent.open(target.agentSocket())) {
            if (attempt(client, new AuthNone())) {
                return;
            }
            if (allowed(client, "publickey")) {
                for (AuthMethod method : publicKeyMethods(client, agent, secrets)) {
                    if (!allowed(client, "publickey")) {
                        break;
                    }
                    tried.add(method.toString());
                    if (attempt(client, method)) {
                        return;
                    }
                }
            }
            if (allowed(client, "keyboard-interactive")) {
                tried.add("keyboard-interactive");
                if (attempt(client, new AuthKeyboardInteractive(new Challenges(secrets)))) {
                    return;
                }
            }
            if (allowed(client, "password")) {
                // Asked before the method starts, so a cancel sends nothing rather than an empty password.
                char[] first = secrets.issue(prompts.password(login, 1));
                if (first != null) {
                    tried.add("password");
                    if (attempt(client, new AuthPassword(new PasswordPrompt(first, secrets)))) {
                        return;
                    }
                }
            }
        } catch (UserAuthException e) {
            last = e;
        }
        throw new SshException.AuthenticationFailed(target.user(), target.hostName(), tried,
                List.copyOf(client.getUserAuth().getAllowedMethods()), last);
    }

    /** True when authentication is complete; false when this method was refused. */
    private boolean attempt(SSHClient client, AuthMethod method) throws SshException, UserAuthException {
        try {
            client.auth(target.user(), method);
            log.debug("Authenticated to {} with {}", target.displayName(), method);
            return true;
        } catch (UserAuthException e) {
            log.debug("{} refused by {}: {}", method, target.displayName(), e.getMessage());
            return false;
        } catch (TransportException e) {
            throw new SshException.ConnectionLost(target.hostName(),
                    new Disconnect(Disconnect.Reason.TRANSPORT_ERROR, e.getMessage()), e);
        } catch (IllegalStateException e) {
            // SSHJ's "Not connected": the server closed the connection between two methods.
            throw new SshException.ConnectionLost(target.hostName(),
                    new Disconnect(Disconnect.Reason.CLOSED_BY_SERVER, "closed during authentication"), e);
        }
    }

    private static boolean allowed(SSHClient client, String method) {
        return client.getUserAuth().getAllowedMethods().contains(method);
    }

    private List<AuthMethod> publicKeyMethods(SSHClient client, Agent agent, IssuedSecrets secrets) {
        List<FileIdentity> files = new ArrayList<>();
        for (IdentityFile file : target.identityFiles()) {
            loadIdentity(client, file, secrets).ifPresent(files::add);
        }
        List<AuthMethod> methods = new ArrayList<>();
        List<AuthMethod> unnamedAgentKeys = new ArrayList<>();
        for (SshAgentClient.Identity identity : agent.identities()) {
            boolean named = false;
            for (Iterator<FileIdentity> it = files.iterator(); it.hasNext(); ) {
                if (it.next().matches(identity.key())) {
                    it.remove();
                    named = true;
                    break;
                }
            }
            AuthMethod method = new AgentKeyAuth(agent.client().orElseThrow(), identity);
            if (named) {
                methods.add(method);
            } else if (!target.identitiesOnly()) {
                unnamedAgentKeys.add(method);
            }
        }
        methods.addAll(unnamedAgentKeys);
        for (FileIdentity file : files) {
            methods.add(file.method());
        }
        return methods;
    }

    private Optional<FileIdentity> loadIdentity(SSHClient client, IdentityFile file, IssuedSecrets secrets) {
        Path path = file.path();
        if (!Files.isReadable(path)) {
            if (file.userProvided()) {
                log.warn("Identity file {} not accessible", path);
            }
            return Optional.empty();
        }
        try {
            PassphrasePrompt prompt = new PassphrasePrompt(path, secrets);
            KeyProvider keys = identityKeys.provider(path, client.loadKeys(path.toString(), prompt), prompt::declined);
            return Optional.of(new FileIdentity(path, keys, publicKeyOf(keys)));
        } catch (IOException | RuntimeException e) {
            log.warn("Cannot use identity file {}: {}", path, e.getMessage());
            return Optional.empty();
        }
    }

    /** The public key when it can be known without the passphrase (a .pub file, or an unencrypted key). */
    private static Optional<PublicKey> publicKeyOf(KeyProvider keys) {
        try {
            return Optional.ofNullable(keys.getPublic());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** An identity file and, if known, its public key (to match it with the agent's keys). */
    private record FileIdentity(Path path, KeyProvider keys, Optional<PublicKey> publicKey) {
        boolean matches(PublicKey agentKey) {
            return publicKey.map(k -> KnownHostsFile.sameKey(k, agentKey)).orElse(false);
        }

        AuthMethod method() {
            return new FileKeyAuth(path, keys);
        }
    }

    /**
     * publickey with a key file that may turn out unusable only once the server has said it would take it: its
     * passphrase declined or wrong three times. SSHJ would then fail inside its transport thread and drop the whole
     * connection; here the key is skipped as OpenSSH skips it, by ending the attempt with a "none" request (which
     * the server refuses), and authentication goes on with the next method.
     */
    private static final class FileKeyAuth extends AuthPublickey {
        private final Path path;
        private boolean skipped;

        FileKeyAuth(Path path, KeyProvider keys) {
            super(keys);
            this.path = path;
        }

        @Override
        public void handle(Message cmd, SSHPacket buf) throws UserAuthException, TransportException {
            if (cmd == Message.USERAUTH_60 && !usable()) {
                skipped = true;
                params.getTransport().write(new SSHPacket(Message.USERAUTH_REQUEST)
                        .putString(params.getUsername()).putString(params.getNextServiceName()).putString("none"));
                return;
            }
            super.handle(cmd, buf);
        }

        private boolean usable() {
            try {
                kProv.getPrivate();
                return true;
            } catch (IOException | RuntimeException e) {
                log.info("Not using identity file {}: {}", path, e.getMessage() == null ? e.toString() : e.getMessage());
                return false;
            }
        }

        @Override
        public boolean shouldRetry() {
            return !skipped && super.shouldRetry();
        }

        @Override
        public String toString() {
            return "publickey (" + path + ")";
        }
    }

    /** The agent connection for this authentication, or none. */
    private static final class Agent implements AutoCloseable {
        private final Optional<SshAgentClient> client;
        private final List<SshAgentClient.Identity> identities;

        private Agent(Optional<SshAgentClient> client, List<SshAgentClient.Identity> identities) {
            this.client = client;
            this.identities = identities;
        }

        static Agent open(Optional<Path> socket) {
            if (socket.isEmpty()) {
                return new Agent(Optional.empty(), List.of());
            }
            SshAgentClient client = null;
            try {
                client = SshAgentClient.connect(socket.get());
                return new Agent(Optional.of(client), client.identities());
            } catch (IOException e) {
                log.warn("ssh-agent at {} is not usable: {}", socket.get(), e.getMessage());
                closeQuietly(client);
                return new Agent(Optional.empty(), List.of());
            }
        }

        Optional<SshAgentClient> client() {
            return client;
        }

        List<SshAgentClient.Identity> identities() {
            return identities;
        }

        @Override
        public void close() {
            client.ifPresent(Agent::closeQuietly);
        }

        private static void closeQuietly(SshAgentClient client) {
            try {
                if (client != null) {
                    client.close();
                }
            } catch (IOException e) {
                log.debug("closing ssh-agent connection: {}", e.getMessage());
            }
        }
    }

    /** Asks for a key's passphrase, up to three times. */
    private final class PassphrasePrompt implements PasswordFinder {
        private final Path keyFile;
        private final IssuedSecrets secrets;
        private int attempts;
        private boolean cancelled;

        PassphrasePrompt(Path keyFile, IssuedSecrets secrets) {
            this.keyFile = keyFile;
            this.secrets = secrets;
        }

        @Override
        public char[] reqPassword(Resource<?> resource) {
            attempts++;
            char[] passphrase = secrets.issue(prompts.passphrase(keyFile, attempts));
            cancelled = passphrase == null;
            return passphrase;
        }

        @Override
        public boolean shouldRetry(Resource<?> resource) {
            return !cancelled && attempts < PROMPTS;
        }

        boolean declined() {
            return cancelled;
        }
    }

    /** Gives the first password, then asks again after each refusal, up to three attempts. */
    private final class PasswordPrompt implements PasswordFinder {
        private final IssuedSecrets secrets;
        private char[] next;
        private int attempts;

        PasswordPrompt(char[] first, IssuedSecrets secrets) {
            this.next = first;
            this.secrets = secrets;
        }

        @Override
        public char[] reqPassword(Resource<?> resource) {
            attempts++;
            char[] password = next;
            next = null;
            return password;
        }

        @Override
        public boolean shouldRetry(Resource<?> resource) {
            if (attempts >= PROMPTS) {
                return false;
            }
            next = secrets.issue(prompts.password(login, attempts + 1));
            return next != null;
        }
    }

    /** Passes each keyboard-interactive prompt to the person. */
    private final class Challenges implements ChallengeResponseProvider {
        private final IssuedSecrets secrets;
        private String instruction = "";
        private int rounds;
        private boolean answered;
        private boolean cancelled;

        Challenges(IssuedSecrets secrets) {
            this.secrets = secrets;
        }

        @Override
        public List<String> getSubmethods() {
            return List.of();
        }

        @Override
        public void init(Resource resource, String name, String instruction) {
            this.instruction = instruction == null ? "" : instruction;
            rounds++;
        }

        @Override
        public char[] getResponse(String prompt, boolean echo) {
            answered = true;
            char[] answer = secrets.issue(prompts.keyboardInteractive(target.user(), target.hostName(), instruction,
                    prompt, echo));
            cancelled |= answer == null;
            return answer == null ? new char[0] : answer;
        }

        /** Again only after the person answered and was refused; a server that asks nothing gets no retries. */
        @Override
        public boolean shouldRetry() {
            boolean retry = answered && !cancelled && rounds < PROMPTS;
            answered = false;
            return retry;
        }
    }
}
