package org.keepwatch.ssh;

import org.apache.sshd.certificate.OpenSshCertificateBuilder;
import org.apache.sshd.common.config.keys.OpenSshCertificate;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.keyprovider.FileHostKeyCertificateProvider;
import org.apache.sshd.common.keyprovider.HostKeyCertificateProvider;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.ServerFactoryManager;
import org.apache.sshd.server.session.ServerSessionImpl;
import org.apache.sshd.server.session.SessionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Host certificates from a real SSH server (Apache MINA SSHD), as a man in the middle would present them: forged,
 * for another host, out of date, a user certificate, from a revoked CA or for a revoked key; and the genuine
 * certificate that must still be accepted. Group exchange matters: SSHJ checks certificates itself only for the
 * other key exchanges, so every attack is also made with group exchange alone.
 */
class HostCertificateTest {

    /** Group exchange (SSHJ never checks certificates there) and two key exchanges it does check them in. */
    enum Kex {
        GROUP_EXCHANGE_SHA256(BuiltinDHFactories.dhgex256),
        GROUP_EXCHANGE_SHA1(BuiltinDHFactories.dhgex),
        CURVE25519(BuiltinDHFactories.curve25519),
        ECDH_NISTP256(BuiltinDHFactories.ecdhp256);

        final BuiltinDHFactories factory;

        Kex(BuiltinDHFactories factory) {
            this.factory = factory;
        }
    }

    @TempDir
    Path dir;
    final KeyPair hostKey = TestSshServer.newHostKey();
    final KeyPair ca = TestSshServer.newHostKey();
    final KeyPair attacker = TestSshServer.newHostKey();
    final List<TestSshServer> servers = new ArrayList<>();
    TestBed bed;

    @BeforeEach
    void bed() throws Exception {
        bed = new TestBed(dir);
    }

    @AfterEach
    void stop() throws Exception {
        for (TestSshServer server : servers) {
            server.close();
        }
    }

    /** A certificate for this host's key, valid now, for the name Keepwatch connects to (127.0.0.1). */
    private OpenSshCertificateBuilder certificate() {
        return OpenSshCertificateBuilder.hostCertificate().publicKey(hostKey.getPublic()).id("router-1")
                .principals(List.of("127.0.0.1"))
                .validAfter(Instant.now().minus(Duration.ofHours(1)))
                .validBefore(Instant.now().plus(Duration.ofHours(1)));
    }

    private TestSshServer serve(OpenSshCertificate certificate, Kex... kex) throws Exception {
        return serve(session -> List.of(certificate), kex);
    }

    private TestSshServer serve(HostKeyCertificateProvider certificates, Kex... kex) throws Exception {
        List<KeyExchangeFactory> exchanges = Stream.of(kex.length == 0 ? new Kex[]{Kex.GROUP_EXCHANGE_SHA256} : kex)
                .map(k -> ServerBuilder.DH2KEX.apply(k.factory)).toList();
        TestSshServer server = TestSshServer.start(hostKey, Files.createDirectories(dir.resolve("sftp")), s -> {
            s.setHostKeyCertificateProvider(certificates);
            s.setKeyExchangeFactories(exchanges);
            s.setSessionFactory(new OpenSshGroupExchangeReplies(s));
        }).acceptPassword("secret");
        servers.add(server);
        return server;
    }

    private void knownHosts(String... lines) throws Exception {
        Files.createDirectories(bed.knownHosts.getParent());
        Files.write(bed.knownHosts, List.of(lines));
    }

    private String caLine(TestSshServer server, PublicKey caKey) {
        return "@cert-authority [127.0.0.1]:" + server.port() + " " + HostKeys.openSshText(caKey);
    }

    /** Connects under StrictHostKeyChecking yes and expects a refusal of this type before anything was sent. */
    private <T extends SshException> T refused(TestSshServer server, Class<T> type) throws Exception {
        RecordingPrompts prompts = new RecordingPrompts().decide(HostKeyDecision.ACCEPT_AND_SAVE).passwords("secret");
        T e = catchThrowableOfType(() -> bed.connector.connect(bed.config(server), "srv", prompts).close(), type);
        assertThat(e).as("refused with " + type.getSimpleName()).isNotNull();
        assertThat(prompts.questions).as("no question, no password prompt").isEmpty();
        assertNothingSent(server);
        return e;
    }

    /** Authentication is encrypted, so it cannot start before a key exchange completes: none did. */
    private static void assertNothingSent(TestSshServer server) {
        assertThat(server.keyExchanges()).isZero();
        assertThat(server.attempts()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kex.class)
    void aCertificateNamingTheRealCaButSignedByAnotherKeyIsRefusedAndNoPasswordIsSent(Kex kex) throws Exception {
        OpenSshCertificate forged = certificate().sign(new KeyPair(ca.getPublic(), attacker.getPrivate()));
        TestSshServer mitm = serve(forged, kex);
        knownHosts(caLine(mitm, ca.getPublic()));

        SshException.HostKeyUnknown e = refused(mitm, SshException.HostKeyUnknown.class);
        assertThat(e.certificate()).map(CertificateRejection::check).contains(CertificateRejection.Check.SIGNATURE);
        assertThat(e.getMessage()).startsWith("The host certificate of [127.0.0.1]:" + mitm.port()
                + " fails its CA signature check: its signature was not made by the CA key it names");
    }

    @Test
    void aCertificateForAnotherHostIsRefused() throws Exception {
        TestSshServer server = serve(certificate().principals(List.of("router-2.example", "10.0.0.2")).sign(ca));
        knownHosts(caLine(server, ca.getPublic()));

        SshException.HostKeyUnknown e = refused(server, SshException.HostKeyUnknown.class);
        assertThat(e.certificate()).map(CertificateRejection::check).contains(CertificateRejection.Check.PRINCIPAL);
        assertThat(e.getMessage()).contains("fails its principals check: it names router-2.example, 10.0.0.2, "
                + "not 127.0.0.1");
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        Instant now = Instant.now();
        TestSshServer server = serve(certificate().validAfter(now.minus(Duration.ofDays(30)))
                .validBefore(now.minus(Duration.ofMinutes(1))).sign(ca));
        knownHosts(caLine(server, ca.getPublic()));

        SshException.HostKeyUnknown e = refused(server, SshException.HostKeyUnknown.class);
        assertThat(e.certificate()).map(CertificateRejection::check).contains(CertificateRejection.Check.EXPIRED);
        assertThat(e.getMessage()).contains("fails its validity check: it expired at");
    }

    @Test
    void aCertificateNotYetValidIsRefused() throws Exception {
        Instant now = Instant.now();
        TestSshServer server = serve(certificate().validAfter(now.plus(Duration.ofMinutes(5)))
                .validBefore(now.plus(Duration.ofDays(30))).sign(ca));
        knownHosts(caLine(server, ca.getPublic()));

        SshException.HostKeyUnknown e = refused(server, SshException.HostKeyUnknown.class);
        assertThat(e.certificate()).map(CertificateRejection::check)
                .contains(CertificateRejection.Check.NOT_YET_VALID);
        assertThat(e.getMessage()).contains("fails its validity check: it is not valid before");
    }

    @Test
    void aUserCertificatePresentedAsAHostCertificateIsRefused() throws Exception {
        OpenSshCertificate user = OpenSshCertificateBuilder.userCertificate().publicKey(hostKey.getPublic())
                .id("alice").principals(List.of("127.0.0.1", "alice"))
                .validAfter(Instant.now().minus(Duration.ofHours(1)))
                .validBefore(Instant.now().plus(Duration.ofHours(1))).sign(ca);
        TestSshServer server = serve(presentedAsHostCertificate(user));
        knownHosts(caLine(server, ca.getPublic()));

        SshException.HostKeyUnknown e = refused(server, SshException.HostKeyUnknown.class);
        assertThat(e.certificate()).map(CertificateRejection::check)
                .contains(CertificateRejection.Check.NOT_A_HOST_CERTIFICATE);
        assertThat(e.getMessage()).contains("it is a user certificate, not a host certificate");
    }

    @Test
    void aCertificateWithCriticalOptionsIsRefused() throws Exception {
        TestSshServer server = serve(certificate().criticalOption("force-command", "/bin/true").sign(ca));
        knownHosts(caLine(server, ca.getPublic()));

        SshException.HostKeyUnknown e = refused(server, SshException.HostKeyUnknown.class);
        assertThat(e.certificate()).map(CertificateRejection::check)
                .contains(CertificateRejection.Check.CRITICAL_OPTIONS);
        assertThat(e.getMessage()).contains("force-command");
    }

    @Test
    void aCertificateFromARevokedCaIsRefused() throws Exception {
        TestSshServer server = serve(certificate().sign(ca));
        knownHosts(caLine(server, ca.getPublic()), "@revoked * " + HostKeys.openSshText(ca.getPublic()));

        SshException.HostKeyRevoked e = refused(server, SshException.HostKeyRevoked.class);
        assertThat(e.knownHostsLine()).isEqualTo(2);
    }

    @Test
    void aCertificateForARevokedKeyIsRefused() throws Exception {
        TestSshServer server = serve(certificate().sign(ca));
        knownHosts(caLine(server, ca.getPublic()), "@revoked * " + HostKeys.openSshText(hostKey.getPublic()));

        SshException.HostKeyRevoked e = refused(server, SshException.HostKeyRevoked.class);
        assertThat(e.knownHostsLine()).isEqualTo(2);
    }

    @Test
    void aCertificateNamingNoHostIsRefused() throws Exception {
        TestSshServer server = serve(certificate().principals(List.of()).sign(ca));
        knownHosts(caLine(server, ca.getPublic()));

        SshException.HostKeyUnknown e = refused(server, SshException.HostKeyUnknown.class);
        assertThat(e.certificate()).map(CertificateRejection::check)
                .contains(CertificateRejection.Check.NO_PRINCIPALS);
    }

    @Test
    void underAskAForgedCertificateIsAskedAboutAsTheUnknownKeyItIsAndRejectingItSendsNothing() throws Exception {
        TestSshServer mitm = serve(certificate().sign(new KeyPair(ca.getPublic(), attacker.getPrivate())));
        knownHosts(caLine(mitm, ca.getPublic()));

        RecordingPrompts prompts = new RecordingPrompts().decide(HostKeyDecision.REJECT).passwords("secret");
        SshException.HostKeyUnknown e = catchThrowableOfType(() -> bed.connector.connect(
                bed.config(mitm, "StrictHostKeyChecking ask"), "srv", prompts), SshException.HostKeyUnknown.class);
        assertThat(e.rejectedByUser()).isTrue();
        assertThat(e.certificate()).map(CertificateRejection::check).contains(CertificateRejection.Check.SIGNATURE);
        assertThat(prompts.questions).containsExactly("hostkey [127.0.0.1]:" + mitm.port());
        assertThat(prompts.hostKeys.get(0).fingerprint()).isEqualTo(HostKeys.fingerprint(hostKey.getPublic()));
        assertNothingSent(mitm);
        assertThat(Files.readAllLines(bed.knownHosts)).hasSize(1);
    }

    @Test
    void aFailedCertificateIsJudgedByItsPlainKeyAsOpenSshJudgesIt() throws Exception {
        // The plain key is known: the host is, whatever its certificate says (OpenSSH retries with the plain key).
        TestSshServer expired = serve(certificate().validAfter(Instant.now().minus(Duration.ofDays(2)))
                .validBefore(Instant.now().minus(Duration.ofDays(1))).sign(ca));
        knownHosts(caLine(expired, ca.getPublic()), "[127.0.0.1]:" + expired.port() + " "
                + HostKeys.openSshText(hostKey.getPublic()));
        RecordingPrompts prompts = new RecordingPrompts().passwords("secret");
        bed.connector.connect(bed.config(expired), "srv", prompts).close();
        assertThat(prompts.questions).containsExactly("password alice@127.0.0.1 #1");

        // Another plain key of its type is known: a changed key, refused under every policy.
        TestSshServer forged = serve(certificate().sign(new KeyPair(ca.getPublic(), attacker.getPrivate())));
        knownHosts(caLine(forged, ca.getPublic()), "[127.0.0.1]:" + forged.port() + " "
                + HostKeys.openSshText(attacker.getPublic()));
        for (String policy : List.of("yes", "ask", "accept-new", "no")) {
            RecordingPrompts asked = new RecordingPrompts().decide(HostKeyDecision.ACCEPT_AND_SAVE).passwords("secret");
            SshException.HostKeyChanged e = catchThrowableOfType(() -> bed.connector.connect(
                    bed.config(forged, "StrictHostKeyChecking " + policy), "srv", asked),
                    SshException.HostKeyChanged.class);
            assertThat(e).as(policy).isNotNull();
            assertThat(e.certificate()).map(CertificateRejection::check)
                    .contains(CertificateRejection.Check.SIGNATURE);
            assertThat(e.knownHostsLine()).isEqualTo(2);
            assertThat(asked.questions).as(policy).isEmpty();
        }
        assertNothingSent(forged);
    }

    @ParameterizedTest
    @EnumSource(Kex.class)
    void aGenuineCertificateIsStillAcceptedWithoutQuestions(Kex kex) throws Exception {
        TestSshServer server = serve(certificate().sign(ca), kex);
        knownHosts(caLine(server, ca.getPublic()));

        RecordingPrompts prompts = new RecordingPrompts().passwords("secret");
        bed.connector.connect(bed.config(server), "srv", prompts).close();
        assertThat(prompts.questions).containsExactly("password alice@127.0.0.1 #1");
        assertThat(server.attempts()).extracting(TestSshServer.Attempt::method).containsExactly("password");
    }

    @Test
    void certificatesSignedBySshKeygenWithEd25519AndRsaCasAreAccepted() throws Exception {
        Path hostPub = dir.resolve("host.pub");
        Files.writeString(hostPub, HostKeys.openSshText(hostKey.getPublic()) + " host\n");
        for (String type : List.of("ed25519", "rsa")) {
            Path caKey = OpenSsh.keygen(dir, "ca_" + type, type, "");
            OpenSsh.Result signed = OpenSsh.run("ssh-keygen", "-q", "-s", caKey.toString(), "-I", "router-1", "-h",
                    "-n", "router-1.example,127.0.0.1", "-V", "-5m:+1h", hostPub.toString());
            assertThat(signed.exitCode()).as(signed.stderr()).isZero();
            TestSshServer server = serve(new FileHostKeyCertificateProvider(dir.resolve("host-cert.pub")));
            Files.createDirectories(bed.knownHosts.getParent());
            Files.writeString(bed.knownHosts, "@cert-authority [127.0.0.1]:" + server.port() + " "
                    + Files.readString(Path.of(caKey + ".pub")));

            RecordingPrompts prompts = new RecordingPrompts().passwords("secret");
            bed.connector.connect(bed.config(server), "srv", prompts).close();
            assertThat(prompts.questions).as(type).containsExactly("password alice@127.0.0.1 #1");
        }
    }

    /**
     * Sessions whose group-exchange reply names the key exchange signature as OpenSSH's sshd does: by the
     * certified key's algorithm ({@code ecdsa-sha2-nistp256}). MINA's group-exchange server names it by the
     * certificate type instead, which SSHJ rightly rejects, so without this no certificate at all could be
     * presented over group exchange, forged or genuine. Nothing else in the reply changes.
     */
    private static final class OpenSshGroupExchangeReplies extends SessionFactory {
        OpenSshGroupExchangeReplies(ServerFactoryManager server) {
            super(server);
        }

        @Override
        protected ServerSessionImpl doCreateSession(IoSession io) throws Exception {
            return new ServerSessionImpl(getServer(), io) {
                @Override
                public IoWriteFuture writePacket(Buffer packet) throws IOException {
                    return super.writePacket(packet.rawByte(packet.rpos()) == SshConstants.SSH_MSG_KEX_DH_GEX_REPLY
                            ? renamedSignature(packet) : packet);
                }

                private Buffer renamedSignature(Buffer reply) {
                    reply.getByte();
                    byte[] hostKey = reply.getBytes();
                    byte[] f = reply.getMPIntAsBytes();
                    Buffer signature = new ByteArrayBuffer(reply.getBytes());
                    String algorithm = signature.getString().replace("-cert-v01@openssh.com", "");
                    Buffer renamed = createBuffer(SshConstants.SSH_MSG_KEX_DH_GEX_REPLY);
                    renamed.putBytes(hostKey);
                    renamed.putMPInt(f);
                    ByteArrayBuffer named = new ByteArrayBuffer();
                    named.putString(algorithm);
                    named.putBytes(signature.getBytes());
                    renamed.putBytes(named.getCompactData());
                    return renamed;
                }
            };
        }
    }

    /**
     * MINA offers only host certificates, so this one says it is a host certificate while MINA decides what to
     * offer, and is the user certificate it really is everywhere else, the bytes sent included.
     */
    private static HostKeyCertificateProvider presentedAsHostCertificate(OpenSshCertificate user) {
        OpenSshCertificate disguised = (OpenSshCertificate) Proxy.newProxyInstance(
                HostCertificateTest.class.getClassLoader(), new Class<?>[]{OpenSshCertificate.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getType") && decidingWhatToOffer()) {
                        return OpenSshCertificate.Type.HOST;
                    }
                    try {
                        return method.invoke(user, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return session -> List.of(disguised);
    }

    private static boolean decidingWhatToOffer() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(
                f -> f.getMethodName().equals("resolveAvailableSignaturesProposal")));
    }
}
