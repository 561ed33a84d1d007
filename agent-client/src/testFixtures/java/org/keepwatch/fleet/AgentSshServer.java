package org.keepwatch.fleet;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.file.nativefs.NativeFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.shell.ProcessShellFactory;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real SSH server (Apache MINA SSHD) on 127.0.0.1 that runs exec commands as real processes and
 * serves SFTP from a real home directory: enough for Keepwatch to deploy and run its agent. Like
 * OpenSSH's sshd, it runs a command with {@code sh -c} in the user's home directory (in / if there is none).
 */
final class AgentSshServer implements AutoCloseable {

    private final SshServer server = SshServer.setUpDefaultServer();
    private final KeyPair hostKey;
    private final Path homes;
    private final AtomicInteger logins = new AtomicInteger();
    private final AtomicInteger sftpChannels = new AtomicInteger();
    private final AtomicInteger execs = new AtomicInteger();
    private final List<String> passwordsOffered = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile List<PublicKey> authorized;

    private AgentSshServer(KeyPair hostKey, Path homes, List<PublicKey> authorized) {
        this.hostKey = hostKey;
        this.homes = homes;
        this.authorized = authorized;
    }

    static AgentSshServer start(KeyPair hostKey, Path homes, int port, List<PublicKey> authorized) throws IOException {
        return start(hostKey, homes, port, authorized, java.util.Optional.empty());
    }

    /**
     * As {@link #start(KeyPair, Path, int, List)}, also taking password logins when {@code password} is given: that
     * password lets any user in, and every password offered is kept ({@link #passwordsOffered()}).
     */
    static AgentSshServer start(KeyPair hostKey, Path homes, int port, List<PublicKey> authorized,
                                java.util.Optional<String> password) throws IOException {
        AgentSshServer s = new AgentSshServer(hostKey, homes, authorized);
        password.ifPresent(accepted -> {
            // The password method only: MINA would also ask for it through keyboard-interactive, never remembered.
            s.server.setKeyboardInteractiveAuthenticator(null);
            s.server.setPasswordAuthenticator((user, offered, session) -> {
                s.passwordsOffered.add(offered);
                boolean ok = offered.equals(accepted);
                if (ok) {
                    s.logins.incrementAndGet();
                }
                return ok;
            });
        });
        s.server.setHost("127.0.0.1");
        s.server.setPort(port);
        s.server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        s.server.setPublickeyAuthenticator((user, key, session) -> {
            boolean ok = s.authorized.stream().anyMatch(k -> KeyUtils.compareKeys(k, key));
            if (ok) {
                s.logins.incrementAndGet();
            }
            return ok;
        });
        NativeFileSystemFactory files = new NativeFileSystemFactory(true);
        files.setUsersHomeDir(homes.toString());
        s.server.setFileSystemFactory(files);
        s.server.setSubsystemFactories(List.of(new HomeSftpFactory(homes, s.sftpChannels)));
        s.server.setCommandFactory((channel, command) -> {
            s.execs.incrementAndGet();
            String home = homes.resolve(channel.getSession().getUsername()).toAbsolutePath().toString();
            // The agent started here manages only daemons whose configuration lies under the homes: a keepalived
            // elsewhere on this machine (the lab's, another user's) is no test's business.
            String run = command.endsWith(" serve") ? command + " --match-config " + quote(homes.toAbsolutePath() + "/*")
                    : command;
            return new ProcessShellFactory(command, List.of("/bin/sh", "-c",
                    "cd " + quote(home) + " 2>/dev/null || cd /; " + run)).createShell(channel);
        });
        s.server.start();
        return s;
    }

    /** {@code word} as one shell word. */
    private static String quote(String word) {
        return "'" + word.replace("'", "'\"'\"'") + "'";
    }

    static KeyPair newKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SFTP that starts in the user's home under {@code homes}, as OpenSSH's does (MINA's starts in its own cwd). */
    private static final class HomeSftpFactory extends SftpSubsystemFactory {
        private final Path homes;
        private final AtomicInteger opened;

        HomeSftpFactory(Path homes, AtomicInteger opened) {
            this.homes = homes;
            this.opened = opened;
        }

        @Override
        public org.apache.sshd.server.command.Command createSubsystem(org.apache.sshd.server.channel.ChannelSession channel) {
            opened.incrementAndGet();
            return new org.apache.sshd.sftp.server.SftpSubsystem(channel, this) {
                @Override
                public void setFileSystem(java.nio.file.FileSystem fileSystem) {
                    super.setFileSystem(fileSystem);
                    defaultDir = homes.resolve(channel.getSession().getUsername()).toAbsolutePath();
                }
            };
        }
    }

    int port() {
        return server.getPort();
    }

    /** Every password a client offered, in order (only when started with a password). */
    List<String> passwordsOffered() {
        return List.copyOf(passwordsOffered);
    }

    int logins() {
        return logins.get();
    }

    /** SFTP channels opened so far (deploying the agent needs one; a session whose agent is there, none). */
    int sftpChannels() {
        return sftpChannels.get();
    }

    /** Exec commands run so far. */
    int execs() {
        return execs.get();
    }

    Path home(String user) {
        return homes.resolve(user);
    }

    void authorize(List<PublicKey> keys) {
        authorized = keys;
    }

    /** A known_hosts line for this server. */
    String knownHostsLine() throws IOException {
        return "[127.0.0.1]:" + port() + " " + publicKeyLine(hostKey.getPublic());
    }

    static String publicKeyLine(PublicKey key) throws IOException {
        StringBuilder line = new StringBuilder();
        org.apache.sshd.common.config.keys.PublicKeyEntry.appendPublicKeyEntry(line, key);
        return line.toString();
    }

    /** Writes an OpenSSH private key file that SSHJ can read. */
    static void writePrivateKey(KeyPair key, Path file) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            new org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter()
                    .writePrivateKey(key, "test", null, out);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        Files.write(file, out.toByteArray());
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    void stop() throws IOException {
        server.stop(true);
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
