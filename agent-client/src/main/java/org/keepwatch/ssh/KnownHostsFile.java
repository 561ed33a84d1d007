package org.keepwatch.ssh;

import net.schmizz.sshj.common.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One known_hosts file, read as OpenSSH's hostfile.c reads it: optional marker ({@code @cert-authority},
 * {@code @revoked}), a host field (a comma list of patterns with {@code !} negation, or a hashed
 * {@code |1|salt|hash}), then the key. Lines it cannot read are skipped, as OpenSSH does.
 */
final class KnownHostsFile {

    private static final Logger log = LoggerFactory.getLogger(KnownHostsFile.class);
    private static final String HASH_MAGIC = "|1|";
    private static final int DECODED_LIMIT = 4096;
    private static final Map<String, PublicKey> DECODED = new ConcurrentHashMap<>();

    enum Marker { NONE, CERT_AUTHORITY, REVOKED }

    /** One usable line. */
    record Entry(Path file, int line, Marker marker, String hosts, PublicKey key) {

        String keyType() {
            return HostKeys.type(key);
        }

        String fingerprint() {
            return HostKeys.fingerprint(key);
        }
    }

    private KnownHostsFile() {
    }

    /** The name known_hosts stores for a host: {@code host} on port 22, {@code [host]:port} elsewhere. */
    static String hostKeyName(String host, int port) {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    /**
     * The readable entries about {@code name} ({@code host} or {@code [host]:port}); a missing file has none.
     * Only their keys are decoded (a file has lines for many hosts).
     */
    static List<Entry> readFor(Path file, String name) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            log.warn("Cannot read known hosts file {}: {}", file, e.getMessage());
            return List.of();
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            parseLine(file, i + 1, lines.get(i), name).ifPresent(entries::add);
        }
        return entries;
    }

    private static Optional<Entry> parseLine(Path file, int lineNumber, String line, String name) {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
            return Optional.empty();
        }
        String[] fields = trimmed.split("[ \t]+");
        int next = 0;
        Marker marker = Marker.NONE;
        if (fields[0].startsWith("@")) {
            if (fields[0].equals("@cert-authority")) {
                marker = Marker.CERT_AUTHORITY;
            } else if (fields[0].equals("@revoked")) {
                marker = Marker.REVOKED;
            } else {
                return skip(file, lineNumber, "unknown marker " + fields[0]);
            }
            next = 1;
        }
        if (fields.length < next + 3) {
            return skip(file, lineNumber, "too few fields");
        }
        String hosts = fields[next];
        if (!appliesTo(hosts, name)) {
            return Optional.empty();
        }
        String blob = fields[next + 2];
        try {
            return Optional.of(new Entry(file, lineNumber, marker, hosts, decode(blob)));
        } catch (Buffer.BufferException | RuntimeException e) {
            // Key types SSHJ cannot represent (e.g. security-key keys) can never be presented to us either.
            return skip(file, lineNumber, "unreadable key of type " + fields[next + 1]);
        }
    }

    /**
     * Decoding is most of the cost of a check (an RSA key is tested for primality on the way), and
     * every connection to a host reads the same lines again: each distinct key is decoded once.
     */
    private static PublicKey decode(String blob) throws Buffer.BufferException {
        PublicKey key = DECODED.get(blob);
        if (key == null) {
            key = new Buffer.PlainBuffer(Base64.getDecoder().decode(blob)).readPublicKey();
            if (DECODED.size() < DECODED_LIMIT) {
                DECODED.put(blob, key);
            }
        }
        return key;
    }

    /** Whether a host field ({@code |1|salt|hash} or a pattern list) is about {@code name}, as OpenSSH matches it. */
    private static boolean appliesTo(String hosts, String name) {
        if (hosts.startsWith(HASH_MAGIC)) {
            return hashedMatches(hosts, name);
        }
        return HostPatterns.matchList(name, hosts) == HostPatterns.ListMatch.MATCHED;
    }

    private static Optional<Entry> skip(Path file, int line, String why) {
        log.debug("Skipping {} line {}: {}", file, line, why);
        return Optional.empty();
    }

    /** {@code |1|base64(salt)|base64(HMAC-SHA1(salt, name))}, OpenSSH's HashKnownHosts format. */
    static String hashedName(String name, byte[] salt) {
        return HASH_MAGIC + Base64.getEncoder().encodeToString(salt) + "|"
                + Base64.getEncoder().encodeToString(hmacSha1(salt, name));
    }

    private static boolean hashedMatches(String hashed, String name) {
        String[] parts = hashed.substring(HASH_MAGIC.length()).split("\\|");
        if (parts.length != 2) {
            return false;
        }
        try {
            byte[] salt = Base64.getDecoder().decode(parts[0]);
            byte[] expected = Base64.getDecoder().decode(parts[1]);
            return MessageDigest.isEqual(expected, hmacSha1(salt, name));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] hmacSha1(byte[] salt, String name) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(salt.length == 0 ? new byte[1] : salt, "HmacSHA1"));
            return mac.doFinal(name.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
        }
    }

    static boolean sameKey(PublicKey a, PublicKey b) {
        return Arrays.equals(HostKeys.blob(a), HostKeys.blob(b));
    }
}
