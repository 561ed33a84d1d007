package org.keepwatch.ssh;

import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.keyboard.InteractiveChallenge;
import org.apache.sshd.server.auth.keyboard.KeyboardInteractiveAuthenticator;
import org.apache.sshd.server.command.AbstractCommandSupport;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real SSH server (Apache MINA SSHD) on 127.0.0.1 and a random port, recording every authentication attempt
 * and key exchange, with an exec command "upper" (echoes stdin upper-cased, a line to stderr, exit 7), SFTP
 * rooted in a directory, and optional port forwarding so it can serve as a jump host.
 */
final class TestSshServer implements AutoCloseable {

    /** One authentication request the server saw. */
    record Attempt(String method, String user, String detail) {
    }

    private final SshServer server = SshServer.setUpDefaultServer();
    private final KeyPair hostKey;
    private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    private final AtomicInteger keyExchanges = new AtomicInteger();
    private volatile String password;
    private volatile List<PublicKey> authorizedKeys = List.of();
    private volatile boolean keyboardInteractive;

    private TestSshServer(KeyPair hostKey) {
        this.hostKey = hostKey;
    }

    static KeyPair newHostKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static TestSshServer start(Path sftpRoot) throws IOException {
        return start(newHostKey(), sftpRoot, false, null);
    }

    /**
     * @param userAuthSignatures if not null, the only signature algorithms accepted (e.g. to refuse ssh-rsa)
     */
    static TestSshServer start(KeyPair hostKey, Path sftpRoot, boolean forwarding,
                               List<NamedFactory<Signature>> userAuthSignatures) throws IOException {
        return start(hostKey, sftpRoot, forwarding, userAuthSignatures, server -> {
        });
    }

    /**
     * @param setUp changes the server before it starts, e.g. its key exchanges or a host certificate to present
     */
    static TestSshServer start(KeyPair hostKey, Path sftpRoot, Consumer<SshServer> setUp) throws IOException {
        return start(hostKey, sftpRoot, false, null, setUp);
    }

    private static TestSshServer start(KeyPair hostKey, Path sftpRoot, boolean forwarding,
                                       List<NamedFactory<Signature>> userAuthSignatures, Consumer<SshServer> setUp)
            throws IOException {
        TestSshServer s = new TestSshServer(hostKey);
        s.server.setHost("127.0.0.1");
        s.server.setPort(0);
        s.server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        if (userAuthSignatures != null) {
            List<NamedFactory<Signature>> all = new ArrayList<>(userAuthSignatures);
            all.add(0, BuiltinSignatures.nistp256);
            s.server.setSignatureFactories(all);
        }
        s.server.setPasswordAuthenticator((user, pw, session) -> {
            s.attempts.add(new Attempt("password", user, ""));
            return s.password != null && s.password.equals(pw);
        });
        s.server.setPublickeyAuthenticator((user, key, session) -> {
            s.attempts.add(new Attempt("publickey", user, key.getAlgorithm()));
            return s.authorizedKeys.stream().anyMatch(k -> KeyUtils.compareKeys(k, key));
        });
        s.server.setKeyboardInteractiveAuthenticator(new KeyboardInteractiveAuthenticator() {
            @Override
            public InteractiveChallenge generateChallenge(ServerSession session, String user, String lang,
                                                          String subMethods) {
                if (!s.keyboardInteractive) {
                    return null;
                }
                s.attempts.add(new Attempt("keyboard-interactive", user, ""));
                InteractiveChallenge challenge = new InteractiveChallenge();
                challenge.setInteractionInstruction("Two questions");
                challenge.addPrompt("Password: ", false);
                challenge.addPrompt("Favourite colour: ", true);
                return challenge;
            }

            @Override
            public boolean authenticate(ServerSession session, String user, List<String> responses) {
                return responses.size() == 2 && responses.get(0).equals(s.password) && responses.get(1).equals("blue");
            }
        });
        s.server.addSessionListener(new SessionListener() {
            @Override
            public void sessionEvent(Session session, Event event) {
                if (event == Event.KeyEstablished) {
                    s.keyExchanges.incrementAndGet();
                }
            }
        });
        s.server.setCommandFactory((channel, command) -> new UpperCommand(command));
        s.server.setSubsystemFactories(Collections.singletonList(new SftpSubsystemFactory()));
        s.server.setFileSystemFactory(new VirtualFileSystemFactory(sftpRoot));
        s.server.setForwardingFilter(forwarding ? AcceptAllForwardingFilter.INSTANCE : RejectAllForwardingFilter.INSTANCE);
        setUp.accept(s.server);
        s.server.start();
        return s;
    }

    TestSshServer acceptPassword(String password) {
        this.password = password;
        return this;
    }

    TestSshServer enableKeyboardInteractive() {
        this.keyboardInteractive = true;
        return this;
    }

    /** Authorizes the public keys in an OpenSSH .pub file. */
    TestSshServer authorize(Path publicKeyFile) throws IOException {
        List<PublicKey> keys = new ArrayList<>(authorizedKeys);
        try {
            for (AuthorizedKeyEntry entry : AuthorizedKeyEntry.readAuthorizedKeys(publicKeyFile)) {
                keys.add(entry.resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        authorizedKeys = List.copyOf(keys);
        return this;
    }

    int port() {
        return server.getPort();
    }

    PublicKey hostPublicKey() {
        return hostKey.getPublic();
    }

    /** {@code [127.0.0.1]:port ecdsa-sha2-nistp256 AAAA...}, a known_hosts line for this server. */
    String knownHostsLine() {
        return KnownHostsFile.hostKeyName("127.0.0.1", port()) + " " + HostKeys.openSshText(hostKey.getPublic());
    }

    List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    /** Key exchanges completed: before one completes, the client cannot send any authentication. */
    int keyExchanges() {
        return keyExchanges.get();
    }

    /** Closes every client session from the server side, as a server restart would. */
    void dropSessions() {
        server.getActiveSessions().forEach(session -> session.close(true));
    }

    Set<String> activeUsers() {
        Set<String> users = new java.util.HashSet<>();
        server.getActiveSessions().forEach(session -> users.add(String.valueOf(session.getUsername())));
        return users;
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }

    /** Echoes each stdin line upper-cased, says "done" on stderr at EOF and exits 7. */
    private static final class UpperCommand extends AbstractCommandSupport {
        UpperCommand(String command) {
            super(command, null);
        }

        @Override
        public void run() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8))) {
                getOutputStream().write(("running " + getCommand() + "\n").getBytes(StandardCharsets.UTF_8));
                getOutputStream().flush();
                String line;
                while ((line = in.readLine()) != null) {
                    getOutputStream().write((line.toUpperCase() + "\n").getBytes(StandardCharsets.UTF_8));
                    getOutputStream().flush();
                }
                getErrorStream().write("done\n".getBytes(StandardCharsets.UTF_8));
                getErrorStream().flush();
                onExit(7);
            } catch (IOException e) {
                onExit(1, e.getMessage());
            }
        }
    }
}
