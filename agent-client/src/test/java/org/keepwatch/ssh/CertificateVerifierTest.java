package org.keepwatch.ssh;

import com.hierynomus.sshj.userauth.certificate.Certificate;
import net.schmizz.sshj.common.Buffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every check ssh(1) makes of a host certificate, on certificates OpenSSH's own ssh-keygen signed (and on copies
 * of them changed after signing, as a forger would).
 */
class CertificateVerifierTest {

    /** 2030-01-01T00:00:00Z: certificates below are valid from here for an hour. */
    static final Instant FROM = Instant.parse("2030-01-01T00:00:00Z");
    static final String WINDOW = "20300101000000Z:20300101010000Z";

    @TempDir
    static Path dir;
    static Path hostPub;

    @BeforeAll
    static void hostKey() {
        hostPub = Path.of(OpenSsh.keygen(dir, "host", "ed25519", "") + ".pub");
    }

    static CertificateVerifier at(Instant now) {
        return new CertificateVerifier(Clock.fixed(now, ZoneOffset.UTC));
    }

    static final CertificateVerifier DURING = at(FROM.plusSeconds(60));

    /** ssh-keygen -s CA -h ... host.pub, read back as SSHJ reads a host key. */
    static Certificate<?> sign(Path ca, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-s", ca.toString(), "-I", "router-1"));
        command.addAll(List.of(options));
        command.add(hostPub.toString());
        OpenSsh.Result signed = OpenSsh.run(Map.of(), command);
        assertThat(signed.exitCode()).as(signed.stderr()).isZero();
        return (Certificate<?>) decode(certificateBlob());
    }

    static byte[] certificateBlob() throws Exception {
        String line = Files.readString(dir.resolve("host-cert.pub")).trim();
        return Base64.getDecoder().decode(line.split(" ")[1]);
    }

    static PublicKey decode(byte[] blob) throws Exception {
        return new Buffer.PlainBuffer(blob).readPublicKey();
    }

    static Path ca(String name, String type, String... extra) {
        Path key = dir.resolve(name);
        return Files.exists(key) ? key : OpenSsh.keygen(dir, name, type, "", extra);
    }

    static Optional<CertificateRejection.Check> check(Certificate<?> certificate, String host) {
        return DURING.check(certificate, host).map(CertificateRejection::check);
    }

    /** A copy of a certificate with some fields changed and its signature kept, as a forger would make it. */
    static Certificate.Builder<PublicKey> copy(Certificate<?> c) {
        Certificate.Builder<PublicKey> b = Certificate.getBuilder();
        return b.publicKey(c.getKey()).nonce(c.getNonce()).serial(c.getSerial()).type(c.getType()).id(c.getId())
                .validPrincipals(c.getValidPrincipals()).validAfter(c.getValidAfter())
                .validBefore(c.getValidBefore()).critOptions(c.getCritOptions()).extensions(c.getExtensions())
                .signatureKey(c.getSignatureKey()).signature(c.getSignature());
    }

    static byte[] signatureBlob(String algorithm, byte[] signature) {
        return new Buffer.PlainBuffer().putString(algorithm).putBytes(signature).getCompactData();
    }

    static byte[] innerSignature(Certificate<?> c) throws Exception {
        Buffer.PlainBuffer b = new Buffer.PlainBuffer(c.getSignature());
        b.readString();
        return b.readBytes();
    }

    @Test
    void everyCaKeyTypeAndSignatureAlgorithmOpenSshSignsWithVerifies() throws Exception {
        record Ca(String type, String[] keygen, String signatureAlgorithm) {
        }
        List<Ca> cas = List.of(
                new Ca("ed25519", new String[0], "ssh-ed25519"),
                new Ca("ecdsa", new String[]{"-b", "256"}, "ecdsa-sha2-nistp256"),
                new Ca("ecdsa", new String[]{"-b", "384"}, "ecdsa-sha2-nistp384"),
                new Ca("ecdsa", new String[]{"-b", "521"}, "ecdsa-sha2-nistp521"),
                new Ca("rsa", new String[]{"-b", "2048"}, "rsa-sha2-256"),
                new Ca("rsa", new String[]{"-b", "3072"}, "rsa-sha2-512"));
        for (Ca ca : cas) {
            Path key = ca("ca_" + ca.signatureAlgorithm(), ca.type(), ca.keygen());
            Certificate<?> certificate = sign(key, "-t", ca.signatureAlgorithm(), "-h", "-n", "router-1.example",
                    "-V", WINDOW);
            assertThat(new Buffer.PlainBuffer(certificate.getSignature()).readString())
                    .isEqualTo(ca.signatureAlgorithm());
            assertThat(DURING.check(certificate, "router-1.example")).as(ca.signatureAlgorithm()).isEmpty();

            // The same certificate with one signed field changed: the signature no longer covers it.
            Certificate<?> moved = copy(certificate).validPrincipals(List.of("router-2.example")).build();
            assertThat(check(moved, "router-2.example")).as(ca.signatureAlgorithm())
                    .contains(CertificateRejection.Check.SIGNATURE);
        }
    }

    @Test
    void whatIsVerifiedIsExactlyWhatSshKeygenSigned() throws Exception {
        Path ca = ca("ca_ed25519", "ed25519");
        sign(ca, "-h", "-n", "b.example,a.example,10.0.0.1", "-V", WINDOW, "-z", "4711",
                "-O", "force-command=/bin/true", "-O", "extension:z@example.com=1", "-O", "extension:a@example.com");
        byte[] sent = certificateBlob();
        // SSHJ keeps no bytes, only fields: its encoding of them must be the one the CA signed.
        assertThat(HostKeys.blob(decode(sent))).isEqualTo(sent);
    }

    @Test
    void anySignedFieldChangedAfterSigningBreaksTheSignature() throws Exception {
        Certificate<?> genuine = sign(ca("ca_ed25519", "ed25519"), "-h", "-n", "router-1.example", "-V", WINDOW);
        List<Certificate<?>> forged = List.of(
                copy(genuine).validBefore(Date.from(FROM.plusSeconds(365L * 24 * 3600))).build(),
                copy(genuine).validAfter(Date.from(FROM.minusSeconds(3600))).build(),
                copy(genuine).type(1).build(),
                copy(genuine).serial(genuine.getSerial().add(java.math.BigInteger.ONE)).build(),
                copy(genuine).critOptions(Map.of("source-address", "10.0.0.0/8")).build(),
                copy(genuine).publicKey(decode(Base64.getDecoder().decode(Files.readString(
                        Path.of(OpenSsh.keygen(dir, "other_host", "ed25519", "") + ".pub")).split(" ")[1]))).build());
        for (Certificate<?> certificate : forged) {
            assertThat(check(certificate, "router-1.example")).contains(CertificateRejection.Check.SIGNATURE);
        }
    }

    @Test
    void garbageMalformedAndMislabelledSignaturesAreRefused() throws Exception {
        Certificate<?> ed = sign(ca("ca_ed25519", "ed25519"), "-h", "-n", "router-1.example", "-V", WINDOW);
        byte[] garbage = new byte[64];
        new SecureRandom().nextBytes(garbage);
        assertThat(check(copy(ed).signature(signatureBlob("ssh-ed25519", garbage)).build(), "router-1.example"))
                .contains(CertificateRejection.Check.SIGNATURE);
        assertThat(check(copy(ed).signature(signatureBlob("ssh-ed25519", new byte[63])).build(), "router-1.example"))
                .contains(CertificateRejection.Check.SIGNATURE);
        byte[] trailing = new Buffer.PlainBuffer(ed.getSignature()).putString("more").getCompactData();
        assertThat(check(copy(ed).signature(trailing).build(), "router-1.example"))
                .contains(CertificateRejection.Check.SIGNATURE);
        assertThat(check(copy(ed).signature(new byte[]{0, 0, 0, 9}).build(), "router-1.example"))
                .contains(CertificateRejection.Check.SIGNATURE);

        // A signature algorithm the CA key cannot make is refused before anything is verified.
        Optional<CertificateRejection> mislabelled = DURING.check(copy(ed).signature(
                signatureBlob("ecdsa-sha2-nistp256", innerSignature(ed))).build(), "router-1.example");
        assertThat(mislabelled).map(CertificateRejection::check).contains(CertificateRejection.Check.SIGNATURE);
        assertThat(mislabelled.get().detail()).contains("ecdsa-sha2-nistp256", "ssh-ed25519 CA key");

        Certificate<?> rsa = sign(ca("ca_rsa-sha2-512", "rsa", "-b", "3072"), "-t", "rsa-sha2-512", "-h", "-n",
                "router-1.example", "-V", WINDOW);
        assertThat(check(copy(rsa).signature(signatureBlob("ssh-ed25519", innerSignature(rsa))).build(),
                "router-1.example")).contains(CertificateRejection.Check.SIGNATURE);
        // rsa-sha2-512 relabelled rsa-sha2-256: the right key type, the wrong hash.
        assertThat(check(copy(rsa).signature(signatureBlob("rsa-sha2-256", innerSignature(rsa))).build(),
                "router-1.example")).contains(CertificateRejection.Check.SIGNATURE);
    }

    @Test
    void sha1RsaSignaturesAndDsaCasAreRefusedAsOpenSshRefusesThem() throws Exception {
        Certificate<?> sha1 = sign(ca("ca_rsa-sha2-256", "rsa", "-b", "2048"), "-t", "ssh-rsa", "-h", "-n",
                "router-1.example", "-V", WINDOW);
        assertThat(check(sha1, "router-1.example")).contains(CertificateRejection.Check.SIGNATURE_ALGORITHM);

        Certificate<?> dsa = sign(ca("ca_dsa", "dsa"), "-h", "-n", "router-1.example", "-V", WINDOW);
        assertThat(check(dsa, "router-1.example")).contains(CertificateRejection.Check.CA_KEY);
        assertThat(CertificateSignature.canVerify("ssh-dss")).isFalse();
        assertThat(List.of("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
                "ssh-rsa")).allMatch(CertificateSignature::canVerify);
    }

    @Test
    void aUserCertificateIsNoHostCertificate() throws Exception {
        Certificate<?> user = sign(ca("ca_ed25519", "ed25519"), "-n", "router-1.example", "-V", WINDOW);
        Optional<CertificateRejection> why = DURING.check(user, "router-1.example");
        assertThat(why).map(CertificateRejection::check).contains(CertificateRejection.Check.NOT_A_HOST_CERTIFICATE);
        assertThat(why.get().detail()).contains("user certificate");
    }

    @Test
    void validFromValidAfterUntilJustBeforeValidBeforeWithNoSkewAllowed() throws Exception {
        Certificate<?> certificate = sign(ca("ca_ed25519", "ed25519"), "-h", "-n", "router-1.example",
                "-V", WINDOW);
        assertThat(at(FROM.minusSeconds(1)).check(certificate, "router-1.example")).map(CertificateRejection::check)
                .contains(CertificateRejection.Check.NOT_YET_VALID);
        assertThat(at(FROM).check(certificate, "router-1.example")).isEmpty();
        assertThat(at(FROM.plusSeconds(3599)).check(certificate, "router-1.example")).isEmpty();
        Optional<CertificateRejection> expired = at(FROM.plusSeconds(3600)).check(certificate, "router-1.example");
        assertThat(expired).map(CertificateRejection::check).contains(CertificateRejection.Check.EXPIRED);
        assertThat(expired.get().detail()).contains("2030-01-01T01:00:00Z");

        Certificate<?> forever = sign(ca("ca_ed25519", "ed25519"), "-h", "-n", "router-1.example");
        assertThat(at(Instant.parse("2999-01-01T00:00:00Z")).check(forever, "router-1.example")).isEmpty();
    }

    @Test
    void principalsMustNameTheHostAndAnEmptyListNamesNone() throws Exception {
        Path ca = ca("ca_ed25519", "ed25519");
        Certificate<?> listed = sign(ca, "-h", "-n", "router-1.example,10.0.0.1", "-V", WINDOW);
        assertThat(check(listed, "router-1.example")).isEmpty();
        assertThat(check(listed, "10.0.0.1")).isEmpty();
        Optional<CertificateRejection> other = DURING.check(listed, "router-2.example");
        assertThat(other).map(CertificateRejection::check).contains(CertificateRejection.Check.PRINCIPAL);
        assertThat(other.get().detail()).contains("router-1.example, 10.0.0.1", "router-2.example");
        // Compared as written, with the lower-cased name Keepwatch connects to.
        assertThat(check(sign(ca, "-h", "-n", "Router-1.example", "-V", WINDOW), "router-1.example"))
                .contains(CertificateRejection.Check.PRINCIPAL);
        // Host certificate principals may be wildcards (OpenSSH 10.3).
        Certificate<?> wildcard = sign(ca, "-h", "-n", "*.example", "-V", WINDOW);
        assertThat(check(wildcard, "router-1.example")).isEmpty();
        assertThat(check(wildcard, "example")).contains(CertificateRejection.Check.PRINCIPAL);

        Certificate<?> none = sign(ca, "-h", "-V", WINDOW);
        assertThat(none.getValidPrincipals()).isEmpty();
        assertThat(check(none, "router-1.example")).contains(CertificateRejection.Check.NO_PRINCIPALS);
    }

    @Test
    void criticalOptionsAreRefusedAndExtensionsIgnored() throws Exception {
        Path ca = ca("ca_ed25519", "ed25519");
        Optional<CertificateRejection> options = DURING.check(sign(ca, "-h", "-n", "router-1.example", "-V", WINDOW,
                "-O", "force-command=/bin/true"), "router-1.example");
        assertThat(options).map(CertificateRejection::check).contains(CertificateRejection.Check.CRITICAL_OPTIONS);
        assertThat(options.get().detail()).contains("force-command");
        assertThat(check(sign(ca, "-h", "-n", "router-1.example", "-V", WINDOW, "-O", "extension:x@example.com"),
                "router-1.example")).isEmpty();
    }
}
