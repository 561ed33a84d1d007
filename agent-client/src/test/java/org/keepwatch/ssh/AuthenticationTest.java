package org.keepwatch.ssh;

import org.apache.sshd.common.signature.BuiltinSignatures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Each authentication method against a real SSH server, including a real ssh-agent. */
class AuthenticationTest {

    @TempDir
    Path dir;
    TestSshServer server;
    TestBed bed;

    @BeforeEach
    void start() throws Exception {
        // The server refuses SHA-1 RSA signatures, so RSA keys only work as rsa-sha2-256/512.
        server = TestSshServer.start(TestSshServer.newHostKey(), Files.createDirectories(dir.resolve("sftp")), false,
                List.of(BuiltinSignatures.ed25519, BuiltinSignatures.nistp256, BuiltinSignatures.nistp384,
                        BuiltinSignatures.rsaSHA512, BuiltinSignatures.rsaSHA256));
        bed = new TestBed(dir);
        bed.trust(server);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private Path key(String name, String type, String passphrase, String... extra) throws Exception {
        return OpenSsh.keygen(dir, name, type, passphrase, extra);
    }

    @Test
    void sshAgentKeysOfEveryTypeSignWithoutTheKeyFiles() throws Exception {
        try (RealSshAgent agent = RealSshAgent.start(dir)) {
            for (String type : List.of("ed25519", "ecdsa", "rsa")) {
                Path k = key("agent_" + type, type, "");
                agent.add(k);
                server.authorize(Path.of(k + ".pub"));
                // Only this key is authorized now.
                TestSshServer only = server;
                Files.delete(k);
                bed.withAgent(agent.socket());
                RecordingPrompts prompts = new RecordingPrompts();
                try (SshConnection c = bed.connector.connect(bed.config(only), "srv", prompts)) {
                    assertThat(c.isOpen()).as(type).isTrue();
                }
                assertThat(prompts.questions).isEmpty();
            }
        }
        assertThat(server.attempts()).extracting(TestSshServer.Attempt::method).containsOnly("publickey");
    }

    @Test
    void anRsaAgentKeyUsesSha2SignaturesOnly() throws Exception {
        try (RealSshAgent agent = RealSshAgent.start(dir)) {
            Path k = key("agent_rsa", "rsa", "");
            agent.add(k);
            server.authorize(Path.of(k + ".pub"));
            bed.withAgent(agent.socket());
            // The server accepts no ssh-rsa (SHA-1) signature: success means rsa-sha2-512/256 with the agent flag.
            bed.connector.connect(bed.config(server), "srv", SshPrompts.BATCH).close();
        }
    }

    @Test
    void identitiesOnlyKeepsUnnamedAgentKeysOutAndTheFailureListsWhatWasTried() throws Exception {
        try (RealSshAgent agent = RealSshAgent.start(dir)) {
            Path authorized = key("in_agent", "ed25519", "");
            agent.add(authorized);
            server.authorize(Path.of(authorized + ".pub"));
            Path named = key("named", "ed25519", "");
            bed.withAgent(agent.socket());

            SshConfig only = bed.config(server, "IdentitiesOnly yes", "IdentityFile " + named);
            SshException.AuthenticationFailed e = catchThrowableOfType(
                    () -> bed.connector.connect(only, "srv", SshPrompts.BATCH), SshException.AuthenticationFailed.class);
            // keyboard-interactive is offered by the server and tried, but it asks nothing of a batch client.
            assertThat(e.methodsTried()).containsExactly("publickey (" + named + ")", "keyboard-interactive");
            assertThat(e.methodsAllowed()).contains("publickey", "password");
            assertThat(e.getMessage()).contains("alice@127.0.0.1", named.toString());

            // Without IdentitiesOnly the agent key is offered, before the named file (OpenSSH's order).
            SshConfig all = bed.config(server, "IdentityFile " + named);
            bed.connector.connect(all, "srv", SshPrompts.BATCH).close();
        }
    }

    @Test
    void anAgentKeyNamedByIdentityFileComesFirst() throws Exception {
        try (RealSshAgent agent = RealSshAgent.start(dir)) {
            Path other = key("other", "ed25519", "");
            Path named = key("named", "ecdsa", "");
            agent.add(other);
            agent.add(named);
            server.authorize(Path.of(named + ".pub"));
            bed.withAgent(agent.socket());
            bed.connector.connect(bed.config(server, "IdentityFile " + named), "srv", SshPrompts.BATCH).close();
            // Only one key was offered: the agent's copy of the named key, ahead of the agent's other key.
            assertThat(server.attempts()).extracting(TestSshServer.Attempt::detail).first().asString().startsWith("EC");
        }
    }

    @Test
    void plainKeyFilesOfEachType() throws Exception {
        for (String type : List.of("ed25519", "ecdsa", "rsa")) {
            Path k = key("file_" + type, type, "");
            server.authorize(Path.of(k + ".pub"));
            bed.connector.connect(bed.config(server, "IdentityFile " + k), "srv", SshPrompts.BATCH).close();
        }
    }

    @Test
    void anEncryptedOpenSshKeyAsksForItsPassphraseAgainAfterAWrongOne() throws Exception {
        Path k = key("encrypted", "ed25519", "correct horse");
        server.authorize(Path.of(k + ".pub"));
        RecordingPrompts prompts = new RecordingPrompts().passphrases("wrong", "correct horse");
        bed.connector.connect(bed.config(server, "IdentityFile " + k), "srv", prompts).close();
        assertThat(prompts.questions).containsExactly("passphrase encrypted #1", "passphrase encrypted #2");
        assertThat(prompts.allSecretsCleared()).isTrue();
    }

    @Test
    void aFleetOfConnectionsAsksForAKeysPassphraseOnceAndAChangedKeyFileIsReadAgain() throws Exception {
        Path k = key("fleet_key", "ed25519", "correct horse");
        server.authorize(Path.of(k + ".pub"));
        RecordingPrompts prompts = new RecordingPrompts().passphrases("correct horse", "battery staple");
        SshConfig config = bed.config(server, "IdentityFile " + k);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            java.util.List<java.util.concurrent.Future<Boolean>> connects = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                connects.add(pool.submit(() -> {
                    try (SshConnection c = bed.connector.connect(config, "srv", prompts)) {
                        return c.isOpen();
                    }
                }));
            }
            for (java.util.concurrent.Future<Boolean> connect : connects) {
                assertThat(connect.get(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(prompts.questions).containsExactly("passphrase fleet_key #1");
        assertThat(prompts.allSecretsCleared()).isTrue();

        // A new key in the same file (another passphrase) is read, and asked for, again.
        Files.delete(k);
        Files.delete(Path.of(k + ".pub"));
        key("fleet_key", "ed25519", "battery staple");
        server.authorize(Path.of(k + ".pub"));
        bed.connector.connect(config, "srv", prompts).close();
        assertThat(prompts.questions).containsExactly("passphrase fleet_key #1", "passphrase fleet_key #1");
    }

    @Test
    void aDeclinedPassphraseIsNotAskedAgainByTheRestOfAConnectWave() throws Exception {
        Path k = key("declined_key", "ed25519", "never given");
        server.authorize(Path.of(k + ".pub"));
        server.acceptPassword("secret");
        RecordingPrompts prompts = new RecordingPrompts().passwords("secret", "secret", "secret");
        SshConfig config = bed.config(server, "IdentityFile " + k);
        for (int i = 0; i < 3; i++) {
            bed.connector.connect(config, "srv", prompts).close();
        }
        // Declined once (the prompt gave nothing); the next connections went on to the password at once.
        assertThat(prompts.questions).containsExactly("passphrase declined_key #1", "password alice@127.0.0.1 #1",
                "password alice@127.0.0.1 #1", "password alice@127.0.0.1 #1");
    }

    @Test
    void anEncryptedPemKeyWorksToo() throws Exception {
        Path k = key("encrypted_pem", "rsa", "pem pass", "-m", "PEM");
        assertThat(Files.readString(k)).contains("BEGIN RSA PRIVATE KEY").contains("ENCRYPTED");
        server.authorize(Path.of(k + ".pub"));
        RecordingPrompts prompts = new RecordingPrompts().passphrases("pem pass");
        bed.connector.connect(bed.config(server, "IdentityFile " + k), "srv", prompts).close();
        assertThat(prompts.questions).containsExactly("passphrase encrypted_pem #1");
        assertThat(prompts.allSecretsCleared()).isTrue();
    }

    @Test
    void anEncryptedKeyTheServerDoesNotAcceptIsNeverDecrypted() throws Exception {
        Path k = key("unwanted", "ed25519", "never asked");
        RecordingPrompts prompts = new RecordingPrompts().passphrases("never asked").passwords("secret");
        server.acceptPassword("secret");
        bed.connector.connect(bed.config(server, "IdentityFile " + k), "srv", prompts).close();
        assertThat(prompts.questions).containsExactly("password alice@127.0.0.1 #1");
    }

    @Test
    void passwordIsAskedAgainAfterARefusalAndClearedAfterUse() throws Exception {
        server.acceptPassword("secret");
        RecordingPrompts prompts = new RecordingPrompts().passwords("wrong", "secret");
        try (SshConnection c = bed.connector.connect(bed.config(server), "srv", prompts)) {
            assertThat(c.isOpen()).isTrue();
        }
        assertThat(prompts.questions).containsExactly("password alice@127.0.0.1 #1", "password alice@127.0.0.1 #2");
        assertThat(prompts.allSecretsCleared()).isTrue();
        assertThat(server.attempts()).extracting(TestSshServer.Attempt::method).containsExactly("password", "password");
    }

    @Test
    void keyboardInteractivePassesEachPromptOn() throws Exception {
        server.acceptPassword("secret").enableKeyboardInteractive();
        RecordingPrompts prompts = new RecordingPrompts().keyboard("secret", "blue");
        bed.connector.connect(bed.config(server), "srv", prompts).close();
        assertThat(prompts.questions).containsExactly("keyboard Two questions / Password: ",
                "keyboard Two questions / Favourite colour:  (echo)");
        assertThat(prompts.allSecretsCleared()).isTrue();
    }

    @Test
    void aCancelledPasswordPromptSendsNoPassword() throws Exception {
        server.acceptPassword("secret");
        SshException.AuthenticationFailed e = catchThrowableOfType(
                () -> bed.connector.connect(bed.config(server), "srv", new RecordingPrompts()),
                SshException.AuthenticationFailed.class);
        assertThat(e.methodsTried()).doesNotContain("password");
        assertThat(server.attempts()).extracting(TestSshServer.Attempt::method).doesNotContain("password");
    }
}
