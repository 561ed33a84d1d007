package org.keepwatch.ssh;

import com.hierynomus.sshj.userauth.certificate.Certificate;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;

/** Public key encodings and fingerprints as OpenSSH writes them. */
final class HostKeys {

    private HostKeys() {
    }

    /** The SSH wire encoding of a key (for a certificate, the whole certificate). */
    static byte[] blob(PublicKey key) {
        return new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
    }

    /** The key a certificate certifies, or the key itself. */
    static PublicKey plainKey(PublicKey key) {
        return key instanceof Certificate ? ((Certificate<?>) key).getKey() : key;
    }

    /** {@code ssh-ed25519}, {@code ecdsa-sha2-nistp256}, {@code ssh-rsa}, ... (of the certified key for certificates). */
    static String type(PublicKey key) {
        return KeyType.fromKey(plainKey(key)).toString();
    }

    /** {@code SHA256:} and the unpadded base64 of the SHA-256 of the key blob, exactly as ssh-keygen -lf prints it. */
    static String fingerprint(PublicKey key) {
        return fingerprint(blob(plainKey(key)));
    }

    static String fingerprint(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The line format of a public key: {@code type base64}. */
    static String openSshText(PublicKey key) {
        return KeyType.fromKey(key) + " " + Base64.getEncoder().encodeToString(blob(key));
    }
}
