package org.keepwatch.ssh;

import net.schmizz.sshj.common.Buffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** known_hosts lookups on files written (and hashed, and signed) by OpenSSH's own ssh-keygen. */
class KnownHostsTest {

    @TempDir
    static Path dir;
    static PublicKey ed25519;
    static PublicKey otherEd25519;
    static PublicKey ecdsa;
    static PublicKey certificate;
    static String ed25519Text;
    static String otherText;
    static String caText;

    @BeforeAll
    static void keys() throws Exception {
        ed25519 = publicKey(OpenSsh.keygen(dir, "host_ed25519", "ed25519", ""));
        otherEd25519 = publicKey(OpenSsh.keygen(dir, "other_ed25519", "ed25519", ""));
        ecdsa = publicKey(OpenSsh.keygen(dir, "host_ecdsa", "ecdsa", ""));
        ed25519Text = pubText("host_ed25519");
        otherText = pubText("other_ed25519");
        Path ca = OpenSsh.keygen(dir, "ca", "ed25519", "");
        caText = pubText("ca");
        OpenSsh.Result signed = OpenSsh.run("ssh-keygen", "-q", "-s", ca.toString(), "-I", "host", "-h",
                "-n", "cert.example", dir.resolve("host_ed25519.pub").toString());
        assertThat(signed.exitCode()).as(signed.stderr()).isZero();
        certificate = publicKey(dir.resolve("host_ed25519-cert"));
    }

    private static String pubText(String name) throws IOException {
        String[] fields = Files.readString(dir.resolve(name + ".pub")).trim().split(" ");
        return fields[0] + " " + fields[1];
    }

    private static PublicKey publicKey(Path privateKey) throws Exception {
        String[] fields = Files.readString(Path.of(privateKey + ".pub")).trim().split(" ");
        return new Buffer.PlainBuffer(Base64.getDecoder().decode(fields[1])).readPublicKey();
    }

    private static KnownHosts file(String name, String... lines) throws IOException {
        return new KnownHosts(List.of(Files.write(dir.resolve(name), List.of(lines))));
    }

    @Test
    void fingerprintsAreWhatSshKeygenPrints() {
        for (String name : List.of("host_ed25519", "host_ecdsa", "ca")) {
            OpenSsh.Result result = OpenSsh.run("ssh-keygen", "-lf", dir.resolve(name + ".pub").toString());
            String expected = result.stdout().split(" ")[1];
            PublicKey key = name.equals("host_ed25519") ? ed25519 : name.equals("host_ecdsa") ? ecdsa : null;
            if (key != null) {
                assertThat(HostKeys.fingerprint(key)).isEqualTo(expected).startsWith("SHA256:").doesNotEndWith("=");
            }
        }
    }

    @Test
    void plainPatternsPortsAndCommaLists() throws IOException {
        KnownHosts known = file("plain",
                "# comment",
                "alpha.example,10.0.0.1 " + ed25519Text,
                "[beta.example]:2222 " + ed25519Text,
                "*.wild.example,!bad.wild.example " + ed25519Text);
        assertThat(known.check("alpha.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Trusted.class);
        assertThat(known.check("10.0.0.1", 22, ed25519)).isInstanceOf(HostKeyStatus.Trusted.class);
        assertThat(known.check("ALPHA.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Trusted.class);
        assertThat(known.check("alpha.example", 2222, ed25519)).isInstanceOf(HostKeyStatus.Unknown.class);
        assertThat(known.check("beta.example", 2222, ed25519)).isInstanceOf(HostKeyStatus.Trusted.class);
        assertThat(known.check("beta.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Unknown.class);
        assertThat(known.check("x.wild.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Trusted.class);
        assertThat(known.check("bad.wild.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Unknown.class);
    }

    @Test
    void aDifferentKeyOfTheSameTypeIsChangedWithItsLineAndAnotherTypeIsUnknown() throws IOException {
        KnownHosts known = file("changed", "", "alpha.example " + otherText);
        HostKeyStatus status = known.check("alpha.example", 22, ed25519);
        assertThat(status).isInstanceOf(HostKeyStatus.Changed.class);
        KnownHostsFile.Entry old = ((HostKeyStatus.Changed) status).known();
        assertThat(old.line()).isEqualTo(2);
        assertThat(old.file()).isEqualTo(dir.resolve("changed"));
        assertThat(old.fingerprint()).isEqualTo(HostKeys.fingerprint(otherEd25519));
        // OpenSSH treats a key of a type it has no record of as new, not changed.
        assertThat(known.check("alpha.example", 22, ecdsa)).isInstanceOf(HostKeyStatus.Unknown.class);
        assertThat(known.knownAlgorithms("alpha.example", 22)).containsExactly("ssh-ed25519");
    }

    @Test
    void hashedEntriesWrittenBySshKeygenAreFound() throws IOException {
        Path file = Files.write(dir.resolve("hashed"), List.of("alpha.example " + ed25519Text,
                "[beta.example]:2200 " + ed25519Text));
        OpenSsh.Result hashed = OpenSsh.run("ssh-keygen", "-H", "-f", file.toString());
        assertThat(hashed.exitCode()).as(hashed.stderr()).isZero();
        assertThat(Files.readString(file)).doesNotContain("alpha").contains("|1|");
        KnownHosts known = new KnownHosts(List.of(file));
        assertThat(known.check("alpha.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Trusted.class);
        assertThat(known.check("beta.example", 2200, ed25519)).isInstanceOf(HostKeyStatus.Trusted.class);
        assertThat(known.check("gamma.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Unknown.class);
        assertThat(known.check("alpha.example", 22, otherEd25519)).isInstanceOf(HostKeyStatus.Changed.class);
    }

    @Test
    void ourHashedLinesAreFoundBySshKeygen() throws IOException {
        KnownHostsWriter writer = new KnownHostsWriter();
        Path file = dir.resolve("ours_hashed");
        writer.append(file, writer.line("delta.example", 2022, ed25519, true));
        OpenSsh.Result found = OpenSsh.run("ssh-keygen", "-F", "[delta.example]:2022", "-f", file.toString());
        assertThat(found.exitCode()).isZero();
        assertThat(found.stdout()).contains("found: line 1");
        assertThat(Files.readString(file)).startsWith("|1|").doesNotContain("delta");
    }

    @Test
    void revokedKeysAreRefusedEvenWhenAlsoListed() throws IOException {
        KnownHosts known = file("revoked",
                "alpha.example " + ed25519Text,
                "@revoked * " + ed25519Text);
        HostKeyStatus status = known.check("alpha.example", 22, ed25519);
        assertThat(status).isInstanceOf(HostKeyStatus.Revoked.class);
        assertThat(((HostKeyStatus.Revoked) status).entry().line()).isEqualTo(2);
    }

    @Test
    void certificatesAreTrustedThroughTheirAuthorityUnlessTheAuthorityIsRevoked() throws IOException {
        KnownHosts trusting = file("ca", "@cert-authority *.example " + caText);
        assertThat(trusting.check("cert.example", 22, certificate)).isInstanceOf(HostKeyStatus.Trusted.class);
        assertThat(trusting.check("cert.elsewhere", 22, certificate)).isInstanceOf(HostKeyStatus.Unknown.class);
        // The CA does not vouch for plain keys.
        assertThat(trusting.check("cert.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Unknown.class);
        assertThat(trusting.knownAlgorithms("cert.example", 22)).contains("ssh-ed25519-cert-v01@openssh.com");

        KnownHosts revoking = file("ca_revoked", "@cert-authority *.example " + caText, "@revoked * " + caText);
        assertThat(revoking.check("cert.example", 22, certificate)).isInstanceOf(HostKeyStatus.Revoked.class);
    }

    @Test
    void aCertificateTheCaWouldVouchForButThatFailsACheckIsJudgedByItsPlainKey() throws IOException {
        // The certificate names cert.example only; the CA line would vouch for any *.example.
        KnownHosts caOnly = file("ca_other", "@cert-authority *.example " + caText);
        HostKeyStatus status = caOnly.check("other.example", 22, certificate);
        assertThat(status).isInstanceOf(HostKeyStatus.CertificateRejected.class);
        HostKeyStatus.CertificateRejected rejected = (HostKeyStatus.CertificateRejected) status;
        assertThat(rejected.why().check()).isEqualTo(CertificateRejection.Check.PRINCIPAL);
        assertThat(rejected.authority().line()).isEqualTo(1);
        assertThat(rejected.plainKey()).isInstanceOf(HostKeyStatus.Unknown.class);

        KnownHosts alsoPlain = file("ca_and_plain", "@cert-authority *.example " + caText,
                "other.example " + ed25519Text);
        assertThat(((HostKeyStatus.CertificateRejected) alsoPlain.check("other.example", 22, certificate)).plainKey())
                .isInstanceOf(HostKeyStatus.Trusted.class);

        KnownHosts otherPlain = file("ca_and_other", "@cert-authority *.example " + caText,
                "other.example " + otherText);
        assertThat(((HostKeyStatus.CertificateRejected) otherPlain.check("other.example", 22, certificate)).plainKey())
                .isInstanceOf(HostKeyStatus.Changed.class);
    }

    @Test
    void certificatesAreAskedForOnlyFromCasWhoseSignaturesCanBeChecked() throws IOException {
        OpenSsh.keygen(dir, "ca_dsa", "dsa", "");
        KnownHosts dsa = file("ca_dsa_only", "@cert-authority *.example " + pubText("ca_dsa"));
        assertThat(dsa.knownAlgorithms("cert.example", 22)).isEmpty();
        KnownHosts both = file("ca_dsa_and_ed25519", "@cert-authority *.example " + pubText("ca_dsa"),
                "@cert-authority *.example " + caText);
        assertThat(both.knownAlgorithms("cert.example", 22)).contains("ssh-ed25519-cert-v01@openssh.com");
    }

    @Test
    void severalFilesAreConsultedInOrderAndBrokenLinesSkipped() throws IOException {
        Path first = Files.write(dir.resolve("first"), List.of("garbage line", "@bogus x y z", "alpha.example ssh-ed25519 !!!"));
        Path second = Files.write(dir.resolve("second"), List.of("alpha.example " + ed25519Text));
        KnownHosts known = new KnownHosts(List.of(first, dir.resolve("missing"), second));
        assertThat(known.check("alpha.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Trusted.class);
    }

    @Test
    void writerCreatesAnOwnerOnlyFileAndAppendsWithoutLosingLines() throws IOException {
        KnownHostsWriter writer = new KnownHostsWriter();
        Path file = dir.resolve("new/dir/known_hosts");
        writer.append(file, writer.line("alpha.example", 22, ed25519, false));
        assertThat(Files.getPosixFilePermissions(file)).extracting(Object::toString)
                .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        Files.writeString(file, Files.readString(file) + "# no newline at end");
        writer.append(file, writer.line("beta.example", 2222, ecdsa, false));
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).startsWith("[beta.example]:2222 ecdsa-sha2-nistp256 ");
        assertThat(new KnownHosts(List.of(file)).check("beta.example", 2222, ecdsa))
                .isInstanceOf(HostKeyStatus.Trusted.class);
    }

    @Test
    void aLineWhoseKeyIsOfAnotherTypeThanItSaysIsSkipped() throws IOException {
        String blob = ed25519Text.split(" ")[1];
        KnownHosts known = file("mislabelled", "alpha.example ecdsa-sha2-nistp256 " + blob, "beta.example\t ssh-ed25519\t" + blob);
        assertThat(known.check("alpha.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Unknown.class);
        assertThat(known.knownAlgorithms("alpha.example", 22)).isEmpty();
        assertThat(known.check("beta.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Trusted.class);
    }

    @Test
    void oneCacheSeesEveryChangeToAFile() throws IOException {
        KnownHostsCache cache = new KnownHostsCache();
        CertificateVerifier certificates = new CertificateVerifier(java.time.Clock.systemUTC());
        Path file = Files.write(dir.resolve("cached"), List.of("alpha.example " + ed25519Text));
        KnownHosts known = new KnownHosts(List.of(file), cache, certificates);
        assertThat(known.check("alpha.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Trusted.class);
        assertThat(known.check("beta.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Unknown.class);

        // Appended by another connection's writer: a new version (size, and the writer renames a new file over).
        KnownHostsWriter writer = new KnownHostsWriter();
        writer.append(file, writer.line("beta.example", 22, ed25519, true));
        assertThat(new KnownHosts(List.of(file), cache, certificates).check("beta.example", 22, ed25519))
                .isInstanceOf(HostKeyStatus.Trusted.class);

        // Rewritten in place with a key of the same length: the inode stays, the modification time moves on.
        Files.write(file, List.of("alpha.example " + otherText));
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 2000));
        assertThat(known.check("alpha.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Changed.class);
        assertThat(known.check("beta.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Unknown.class);

        Files.delete(file);
        assertThat(known.check("alpha.example", 22, ed25519)).isInstanceOf(HostKeyStatus.Unknown.class);
    }
}
