package org.keepwatch.ssh;

import com.hierynomus.sshj.userauth.certificate.Certificate;
import net.schmizz.sshj.common.Buffer;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Verifies the CA's signature over an OpenSSH certificate (PROTOCOL.certkeys) with the JDK's own algorithms, as
 * OpenSSH's cert_parse() does before anything else about a certificate is believed. SSHJ checks it only in some
 * key exchanges, so Keepwatch checks it itself, in all of them.
 *
 * <p>The CA algorithms are OpenSSH's default CASignatureAlgorithms, less the security-key ones (SSHJ cannot decode
 * such keys, so known_hosts lines holding them are skipped and never vouch for anything). ssh-rsa (SHA-1) and
 * ssh-dss signatures are refused, as OpenSSH refuses them by default.
 */
final class CertificateSignature {

    /** OpenSSH's SSH_RSA_MINIMUM_MODULUS_SIZE. */
    private static final int MINIMUM_RSA_BITS = 1024;

    /** A signature algorithm a CA may use: its SSH name, the CA key type that makes it, and the JDK's name. */
    private enum Algorithm {
        ED25519("ssh-ed25519", "ssh-ed25519", "Ed25519", null),
        NISTP256("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", "SHA256withECDSAinP1363Format", "secp256r1"),
        NISTP384("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384", "SHA384withECDSAinP1363Format", "secp384r1"),
        NISTP521("ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521", "SHA512withECDSAinP1363Format", "secp521r1"),
        RSA_SHA2_512("rsa-sha2-512", "ssh-rsa", "SHA512withRSA", null),
        RSA_SHA2_256("rsa-sha2-256", "ssh-rsa", "SHA256withRSA", null);

        final String sshName;
        final String keyType;
        final String jcaName;
        final String curve;

        Algorithm(String sshName, String keyType, String jcaName, String curve) {
            this.sshName = sshName;
            this.keyType = keyType;
            this.jcaName = jcaName;
            this.curve = curve;
        }

        static Optional<Algorithm> named(String sshName) {
            return Stream.of(values()).filter(a -> a.sshName.equals(sshName)).findFirst();
        }

        boolean inThisJdk() {
            try {
                Signature.getInstance(jcaName);
                return true;
            } catch (GeneralSecurityException e) {
                return false;
            }
        }
    }

    /** The CA key types whose signatures this JDK can check; computed once, never changed. */
    private static final Set<String> VERIFIABLE_CA_TYPES = Stream.of(Algorithm.values())
            .filter(Algorithm::inThisJdk).map(a -> a.keyType).collect(Collectors.toUnmodifiableSet());

    private CertificateSignature() {
    }

    /**
     * Whether a certificate by a CA key of this type ({@code ssh-ed25519}, {@code ssh-rsa}, ...) can be verified
     * at all. A CA whose certificates cannot be is no reason to ask a server for its certificate: it would only be
     * refused and judged by its plain key.
     */
    static boolean canVerify(String caKeyType) {
        return VERIFIABLE_CA_TYPES.contains(caKeyType);
    }

    /** Empty when the CA key the certificate names made its signature; otherwise why not. */
    static Optional<CertificateRejection> verify(Certificate<?> certificate) {
        byte[] caBlob = certificate.getSignatureKey();
        String caType;
        String signatureName;
        byte[] signature;
        try {
            caType = new Buffer.PlainBuffer(caBlob).readString();
            Buffer.PlainBuffer wrapped = new Buffer.PlainBuffer(certificate.getSignature());
            signatureName = wrapped.readString();
            signature = wrapped.readBytes();
            if (wrapped.available() != 0) {
                return signature("its signature has trailing data");
            }
        } catch (Buffer.BufferException | RuntimeException e) {
            return signature("its signature or CA key is malformed");
        }
        if (!canVerify(caType)) {
            return Optional.of(new CertificateRejection(CertificateRejection.Check.CA_KEY,
                    "its CA key is of type " + caType + ", which cannot sign host certificates here"));
        }
        Optional<Algorithm> named = Algorithm.named(signatureName);
        if (named.isEmpty()) {
            return Optional.of(new CertificateRejection(CertificateRejection.Check.SIGNATURE_ALGORITHM,
                    "it is signed with " + signatureName + (signatureName.equals("ssh-rsa")
                            ? " (SHA-1), which OpenSSH no longer accepts from a CA"
                            : ", which is not accepted from a CA")));
        }
        Algorithm algorithm = named.get();
        if (!algorithm.keyType.equals(caType)) {
            return signature("its signature is of type " + signatureName + ", which a " + caType
                    + " CA key cannot make");
        }
        try {
            PublicKey caKey = jdkKey(algorithm, caBlob);
            Optional<byte[]> jcaSignature = jcaSignature(algorithm, caKey, signature);
            if (jcaSignature.isEmpty()) {
                return signature("its " + signatureName + " signature is malformed");
            }
            Signature verifier = Signature.getInstance(algorithm.jcaName);
            verifier.initVerify(caKey);
            verifier.update(signedBytes(certificate));
            if (!verifier.verify(jcaSignature.get())) {
                return signature("its signature was not made by the CA key it names ("
                        + HostKeys.fingerprint(caBlob) + ")");
            }
            return Optional.empty();
        } catch (CaKeyException e) {
            return Optional.of(new CertificateRejection(CertificateRejection.Check.CA_KEY, e.getMessage()));
        } catch (GeneralSecurityException | RuntimeException e) {
            return signature("its signature cannot be verified (" + e.getMessage() + ")");
        }
    }

    private static Optional<CertificateRejection> signature(String detail) {
        return Optional.of(new CertificateRejection(CertificateRejection.Check.SIGNATURE, detail));
    }

    /**
     * What the CA signed: the certificate's encoding up to its signature. The encoding is SSHJ's, from the fields it
     * decoded; for a certificate OpenSSH wrote it is byte for byte what was sent (a genuine certificate verifying
     * shows it). Should a certificate be encoded otherwise, the signature then covers other bytes and fails: the
     * fields checked afterwards are always the ones the CA signed.
     */
    private static byte[] signedBytes(Certificate<?> certificate) {
        byte[] encoded = HostKeys.blob(certificate);
        int signed = encoded.length - 4 - certificate.getSignature().length;
        return Arrays.copyOf(encoded, signed);
    }

    /**
     * The CA key as a key of the JDK's own provider. ECDSA keys are decoded by SSHJ; Ed25519 and RSA keys are read
     * with SSHJ's Buffer instead: SSHJ decodes the one to a non-JDK type, and the other through a provider that tests
     * the modulus for primality (the dearest part of a connection, see KnownHostsFile).
     */
    private static PublicKey jdkKey(Algorithm algorithm, byte[] caBlob) throws GeneralSecurityException {
        try {
            Buffer.PlainBuffer buffer = new Buffer.PlainBuffer(caBlob);
            buffer.readString();
            if (algorithm == Algorithm.ED25519) {
                byte[] point = buffer.readBytes();
                if (point.length != 32 || buffer.available() != 0) {
                    throw new CaKeyException("its ssh-ed25519 CA key is malformed");
                }
                return KeyFactory.getInstance("Ed25519").generatePublic(
                        new EdECPublicKeySpec(NamedParameterSpec.ED25519, edPoint(point)));
            }
            if (algorithm.curve == null) {
                BigInteger e = buffer.readMPInt();
                BigInteger n = buffer.readMPInt();
                if (buffer.available() != 0 || e.signum() <= 0 || n.signum() <= 0) {
                    throw new CaKeyException("its ssh-rsa CA key is malformed");
                }
                if (n.bitLength() < MINIMUM_RSA_BITS) {
                    throw new CaKeyException("its RSA CA key has " + n.bitLength() + " bits, fewer than the "
                            + MINIMUM_RSA_BITS + " OpenSSH requires");
                }
                return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
            }
            PublicKey decoded = new Buffer.PlainBuffer(caBlob).readPublicKey();
            ECParameterSpec curve = curve(algorithm.curve);
            int bits = curve.getCurve().getField().getFieldSize();
            if (!(decoded instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != bits) {
                throw new CaKeyException("its " + algorithm.keyType + " CA key is malformed");
            }
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(ec.getW(), curve));
        } catch (Buffer.BufferException e) {
            throw new CaKeyException("its " + algorithm.keyType + " CA key cannot be decoded");
        }
    }

    private static ECParameterSpec curve(String name) throws GeneralSecurityException {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec(name));
        return parameters.getParameterSpec(ECParameterSpec.class);
    }

    /** RFC 8032 5.1.3: y little-endian, the top bit of the last byte being the parity of x. */
    private static EdECPoint edPoint(byte[] encoded) {
        byte[] bigEndian = new byte[encoded.length];
        for (int i = 0; i < encoded.length; i++) {
            bigEndian[i] = encoded[encoded.length - 1 - i];
        }
        boolean xOdd = (bigEndian[0] & 0x80) != 0;
        bigEndian[0] &= 0x7f;
        return new EdECPoint(xOdd, new BigInteger(1, bigEndian));
    }

    /**
     * The signature as the JDK takes it. ssh-ed25519: the 64 bytes. ECDSA: SSH sends r and s as mpints; the JDK's
     * P1363 format is r and s as unsigned big-endian numbers of the curve's size each. RSA: the signature, left-padded
     * to the modulus size as OpenSSH's ssh_rsa_verify() pads it. Empty when malformed.
     */
    private static Optional<byte[]> jcaSignature(Algorithm algorithm, PublicKey caKey, byte[] signature) {
        if (algorithm == Algorithm.ED25519) {
            return signature.length == 64 ? Optional.of(signature) : Optional.empty();
        }
        if (caKey instanceof RSAPublicKey rsa) {
            int size = (rsa.getModulus().bitLength() + 7) / 8;
            if (signature.length == 0 || signature.length > size) {
                return Optional.empty();
            }
            byte[] padded = new byte[size];
            System.arraycopy(signature, 0, padded, size - signature.length, signature.length);
            return Optional.of(padded);
        }
        int size = (((ECPublicKey) caKey).getParams().getCurve().getField().getFieldSize() + 7) / 8;
        try {
            Buffer.PlainBuffer rs = new Buffer.PlainBuffer(signature);
            BigInteger r = rs.readMPInt();
            BigInteger s = rs.readMPInt();
            if (rs.available() != 0 || r.signum() <= 0 || s.signum() <= 0
                    || r.bitLength() > size * 8 || s.bitLength() > size * 8) {
                return Optional.empty();
            }
            byte[] p1363 = new byte[2 * size];
            unsigned(r, p1363, 0, size);
            unsigned(s, p1363, size, size);
            return Optional.of(p1363);
        } catch (Buffer.BufferException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void unsigned(BigInteger value, byte[] into, int offset, int size) {
        byte[] bytes = value.toByteArray();
        int skip = bytes.length > size ? bytes.length - size : 0;
        System.arraycopy(bytes, skip, into, offset + size - (bytes.length - skip), bytes.length - skip);
    }

    /** A CA key that cannot be used, with the reason as its message. */
    private static final class CaKeyException extends GeneralSecurityException {
        CaKeyException(String message) {
            super(message);
        }
    }
}
