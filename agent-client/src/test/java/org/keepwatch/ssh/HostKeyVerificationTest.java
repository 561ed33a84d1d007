package org.keepwatch.ssh;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Host key checking against a real SSH server: unknown, accepted, saved, hashed, changed and revoked keys. */
class HostKeyVerificationTest {

    @TempDir
    Path dir;
    TestSshServer server;
    TestBed bed;

    @BeforeEach
    void start() throws Exception {
        server = TestSshServer.start(Files.createDirectories(dir.resolve("sftp"))).acceptPassword("secret");
        bed = new TestBed(dir);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void anUnknownKeyGoesToThePromptWithTypeAndFingerprintAndAcceptOnceSavesNothing() throws Exception {
        SshConfig config = bed.config(server, "StrictHostKeyChecking ask");
        RecordingPrompts prompts = new RecordingPrompts().decide(HostKeyDecision.ACCEPT_ONCE).passwords("secret");
        try (SshConnection connection = bed.connector.connect(config, "srv", prompts)) {
            assertThat(connection.isOpen()).isTrue();
        }
        HostKeyInfo asked = prompts.hostKeys.get(0);
        assertThat(asked.host()).isEqualTo("127.0.0.1");
        assertThat(asked.port()).isEqualTo(server.port());
        assertThat(asked.keyType()).isEqualTo("ecdsa-sha2-nistp256");
        assertThat(asked.fingerprint()).isEqualTo(HostKeys.fingerprint(server.hostPublicKey()));
        assertThat(bed.knownHosts).doesNotExist();
    }

    @Test
    void acceptAndSaveWritesKnownHostsWithMode0600AndTheNextConnectionIsTrusted() throws Exception {
        SshConfig ask = bed.config(server, "StrictHostKeyChecking ask");
        RecordingPrompts prompts = new RecordingPrompts().decide(HostKeyDecision.ACCEPT_AND_SAVE).passwords("secret");
        bed.connector.connect(ask, "srv", prompts).close();

        assertThat(Files.readAllLines(bed.knownHosts)).containsExactly(server.knownHostsLine());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(bed.knownHosts))).isEqualTo("rw-------");
        // ssh-keygen agrees the saved entry is for this host.
        OpenSsh.Result found = OpenSsh.run("ssh-keygen", "-F", "[127.0.0.1]:" + server.port(),
                "-f", bed.knownHosts.toString());
        assertThat(found.exitCode()).isZero();

        SshConfig strict = bed.config(server, "StrictHostKeyChecking yes");
        RecordingPrompts again = new RecordingPrompts().passwords("secret");
        bed.connector.connect(strict, "srv", again).close();
        assertThat(again.hostKeys).isEmpty();
    }

    @Test
    void hashKnownHostsYesSavesAHashedEntry() throws Exception {
        SshConfig config = bed.config(server, "StrictHostKeyChecking accept-new", "HashKnownHosts yes");
        bed.connector.connect(config, "srv", new RecordingPrompts().passwords("secret")).close();
        String saved = Files.readString(bed.knownHosts);
        assertThat(saved).startsWith("|1|").doesNotContain("127.0.0.1");
        assertThat(OpenSsh.run("ssh-keygen", "-F", "[127.0.0.1]:" + server.port(), "-f",
                bed.knownHosts.toString()).exitCode()).isZero();
        // And we find it again ourselves.
        RecordingPrompts strict = new RecordingPrompts().passwords("secret");
        bed.connector.connect(bed.config(server, "StrictHostKeyChecking yes"), "srv", strict).close();
    }

    @Test
    void strictCheckingRefusesAnUnknownKeyWithoutAsking() throws Exception {
        RecordingPrompts prompts = new RecordingPrompts().decide(HostKeyDecision.ACCEPT_AND_SAVE).passwords("secret");
        SshException.HostKeyUnknown e = catchThrowableOfType(
                () -> bed.connector.connect(bed.config(server), "srv", prompts), SshException.HostKeyUnknown.class);
        assertThat(e.rejectedByUser()).isFalse();
        assertThat(e.key().fingerprint()).isEqualTo(HostKeys.fingerprint(server.hostPublicKey()));
        assertThat(prompts.questions).isEmpty();
        assertThat(server.attempts()).isEmpty();
    }

    /**
     * A man in the middle of a host known by its ECDSA key offers only an RSA key, a type nobody pinned: OpenSSH
     * warns that keys of different type are known. Keepwatch names the known type and fingerprint, refuses under
     * yes, accept-new and no (OpenSSH's accept-new would add it), and lets only a person accept it.
     */
    @Test
    void aKnownHostPresentingOnlyAKeyOfANewTypeIsNeverTakenSilently() throws Exception {
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        try (TestSshServer intruder = TestSshServer.start(rsa.generateKeyPair(),
                Files.createDirectories(dir.resolve("intruder")), s -> { }).acceptPassword("secret")) {
            Files.createDirectories(bed.knownHosts.getParent());
            String known = KnownHostsFile.hostKeyName("127.0.0.1", intruder.port()) + " "
                    + HostKeys.openSshText(server.hostPublicKey()) + "\n";
            Files.writeString(bed.knownHosts, known);
            String knownFingerprint = HostKeys.fingerprint(server.hostPublicKey());

            for (String policy : List.of("accept-new", "no", "yes")) {
                RecordingPrompts prompts = new RecordingPrompts().decide(HostKeyDecision.ACCEPT_AND_SAVE)
                        .passwords("secret");
                SshException.HostKeyUnknown e = catchThrowableOfType(() -> bed.connector.connect(
                        bed.config(intruder, "StrictHostKeyChecking " + policy), "srv", prompts),
                        SshException.HostKeyUnknown.class);
                assertThat(e).as(policy).isNotNull();
                assertThat(e.getMessage()).as(policy).contains("WARNING").contains("ssh-rsa")
                        .contains("ecdsa-sha2-nistp256 " + knownFingerprint).contains(bed.knownHosts + " line 1")
                        .contains("intercepting");
                assertThat(e.key().otherTypesKnown()).extracting(KnownHostKey::fingerprint)
                        .containsExactly(knownFingerprint);
                assertThat(prompts.questions).as(policy).isEmpty();
            }

            RecordingPrompts asked = new RecordingPrompts().decide(HostKeyDecision.REJECT).passwords("secret");
            SshException.HostKeyUnknown rejected = catchThrowableOfType(() -> bed.connector.connect(
                    bed.config(intruder, "StrictHostKeyChecking ask"), "srv", asked), SshException.HostKeyUnknown.class);
            assertThat(rejected.rejectedByUser()).isTrue();
            HostKeyInfo question = asked.hostKeys.get(0);
            assertThat(question.keyType()).isEqualTo("ssh-rsa");
            assertThat(question.otherTypesKnown()).containsExactly(new KnownHostKey("ecdsa-sha2-nistp256",
                    knownFingerprint, bed.knownHosts, 1));

            assertThat(intruder.attempts()).isEmpty();
            assertThat(Files.readString(bed.knownHosts)).isEqualTo(known);
        }
    }

    /** A Match block's StrictHostKeyChecking yes counts, as in ssh -G; dropping it had let accept-new take the key. */
    @Test
    void aStrictPolicyGivenInAMatchBlockRefusesAnUnknownKey() throws Exception {
        SshConfig config = bed.config(List.of(
                List.of("Match originalhost srv", "  StrictHostKeyChecking yes"),
                TestBed.hostBlock("srv", server),
                List.of("Host *", "  StrictHostKeyChecking accept-new")));
        assertThat(config.resolve("srv").strictHostKeyChecking()).isEqualTo(StrictHostKeyChecking.YES);
        assertThatThrownBy(() -> bed.connector.connect(config, "srv", new RecordingPrompts().passwords("secret")))
                .isInstanceOf(SshException.HostKeyUnknown.class);
        assertThat(server.attempts()).isEmpty();
        assertThat(bed.knownHosts).doesNotExist();
    }

    @Test
    void aRejectedKeyIsNotSavedAndNothingIsSent() throws Exception {
        RecordingPrompts prompts = new RecordingPrompts().decide(HostKeyDecision.REJECT).passwords("secret");
        SshException.HostKeyUnknown e = catchThrowableOfType(() -> bed.connector.connect(
                bed.config(server, "StrictHostKeyChecking ask"), "srv", prompts), SshException.HostKeyUnknown.class);
        assertThat(e.rejectedByUser()).isTrue();
        assertThat(prompts.questions).containsExactly("hostkey [127.0.0.1]:" + server.port());
        assertThat(server.attempts()).isEmpty();
        assertThat(bed.knownHosts).doesNotExist();
    }

    @Test
    void aChangedKeyIsRefusedUnderEveryPolicyAndNoAuthenticationReachesTheServer() throws Exception {
        // Another server's key recorded for this server's address: what a man in the middle looks like.
        try (TestSshServer impostor = TestSshServer.start(Files.createDirectories(dir.resolve("other")))) {
            Files.createDirectories(bed.knownHosts.getParent());
            Files.write(bed.knownHosts, List.of("# first line", "[127.0.0.1]:" + server.port() + " "
                    + HostKeys.openSshText(impostor.hostPublicKey())));
        }
        Path key = OpenSsh.keygen(dir, "id_ed25519", "ed25519", "");
        server.authorize(Path.of(key + ".pub"));
        for (String policy : List.of("yes", "ask", "accept-new", "no")) {
            RecordingPrompts prompts = new RecordingPrompts().decide(HostKeyDecision.ACCEPT_AND_SAVE)
                    .passwords("secret").passphrases("x");
            SshConfig config = bed.config(server, "StrictHostKeyChecking " + policy, "IdentityFile " + key);
            SshException.HostKeyChanged e = catchThrowableOfType(() -> bed.connector.connect(config, "srv", prompts),
                    SshException.HostKeyChanged.class);
            assertThat(e).as(policy).isNotNull();
            assertThat(e.knownHostsFile()).isEqualTo(bed.knownHosts);
            assertThat(e.knownHostsLine()).isEqualTo(2);
            assertThat(e.key().fingerprint()).isEqualTo(HostKeys.fingerprint(server.hostPublicKey()));
            assertThat(e.knownFingerprint()).isNotEqualTo(e.key().fingerprint()).startsWith("SHA256:");
            assertThat(e.getMessage()).contains(e.knownFingerprint(), e.key().fingerprint(), "line 2");
            assertThat(prompts.questions).as(policy).isEmpty();
        }
        // Authentication is encrypted, so it cannot even start before a key exchange completes: none did.
        assertThat(server.keyExchanges()).isZero();
        assertThat(server.attempts()).isEmpty();
        assertThat(Files.readAllLines(bed.knownHosts)).hasSize(2);
    }

    @Test
    void aRevokedKeyIsRefused() throws Exception {
        bed.trust(server);
        Files.writeString(bed.knownHosts, "@revoked * " + HostKeys.openSshText(server.hostPublicKey()) + "\n",
                java.nio.file.StandardOpenOption.APPEND);
        RecordingPrompts prompts = new RecordingPrompts().passwords("secret");
        SshException.HostKeyRevoked e = catchThrowableOfType(
                () -> bed.connector.connect(bed.config(server), "srv", prompts), SshException.HostKeyRevoked.class);
        assertThat(e.knownHostsLine()).isEqualTo(2);
        assertThat(server.attempts()).isEmpty();
        assertThat(server.keyExchanges()).isZero();
    }

    @Test
    void aKnownKeyConnectsWithoutQuestions() throws Exception {
        bed.trust(server);
        RecordingPrompts prompts = new RecordingPrompts().passwords("secret");
        try (SshConnection connection = bed.connector.connect(bed.config(server), "srv", prompts)) {
            assertThat(connection.target().hostName()).isEqualTo("127.0.0.1");
        }
        assertThat(prompts.questions).containsExactly("password alice@127.0.0.1 #1");
        assertThatThrownBy(() -> bed.connector.connect(bed.config(server), "srv", SshPrompts.BATCH))
                .isInstanceOf(SshException.AuthenticationFailed.class);
    }
}
