package org.keepwatch.ssh;

import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
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
import java.util.Optional;

/**
 * One known_hosts file, read as OpenSSH's hostfile.c reads it: optional marker ({@code @cert-authority},
 * {@code @revoked}), a host field (a comma list of patterns with {@code !} negation, or a hashed
 * {@code |1|salt|hash}), then the key. Lines it cannot read are skipped, as OpenSSH does.
 */
final class KnownHostsFile {

    private static final Logger log = LoggerFactory.getLogger(KnownHostsFile.class);
    private static final String HASH_MAGIC = "|1|";

    enum Marker { NONE, CERT_AUTHORITY, REVOKED }

    /**
     * One usable line. The key stays in its wire encoding ({@code blob}): matching compares encodings, so no
     * line is ever decoded (decoding an RSA key tests its modulus for primality: most of a connection's CPU).
     */
    record Entry(Path file, int line, Marker marker, String hosts, String keyType, byte[] blob) {

        String fingerprint() {
            return HostKeys.fingerprint(blob);
        }

        boolean holds(PublicKey key) {
            return Arrays.equals(blob, HostKeys.blob(key));
        }
    }

    private KnownHostsFile() {
    }

    /** The name known_hosts stores for a host: {@code host} on port 22, {@code [host]:port} elsewhere. */
    static String hostKeyName(String host, int port) {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    /** Every usable line of a file; a missing file has none, an unreadable one is logged and has none. */
    static List<Entry> read(Path file) {
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
            parseLine(file, i + 1, lines.get(i)).ifPresent(entries::add);
        }
        return entries;
    }

    /** Whether a line is about {@code name} ({@code host} or {@code [host]:port}), as OpenSSH matches it. */
    static boolean appliesTo(Entry entry, String name) {
        String hosts = entry.hosts();
        if (hosts.startsWith(HASH_MAGIC)) {
            return hashedMatches(hosts, name);
        }
        return HostPatterns.matchList(name, hosts) == HostPatterns.ListMatch.MATCHED;
    }

    private static Optional<Entry> parseLine(Path file, int lineNumber, String line) {
        List<String> fields = fields(line);
        if (fields.isEmpty() || fields.get(0).startsWith("#")) {
            return Optional.empty();
        }
        int next = 0;
        Marker marker = Marker.NONE;
        if (fields.get(0).startsWith("@")) {
            if (fields.get(0).equals("@cert-authority")) {
                marker = Marker.CERT_AUTHORITY;
            } else if (fields.get(0).equals("@revoked")) {
                marker = Marker.REVOKED;
            } else {
                return skip(file, lineNumber, "unknown marker " + fields.get(0));
            }
            next = 1;
        }
        if (fields.size() < next + 3) {
            return skip(file, lineNumber, "too few fields");
        }
        String hosts = fields.get(next);
        String type = fields.get(next + 1);
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(fields.get(next + 2));
        } catch (IllegalArgumentException e) {
            return skip(file, lineNumber, "key is not base64");
        }
        // As OpenSSH's sshkey_read(): the type named on the line must be the one encoded in the key.
        Optional<String> encoded = encodedType(blob);
        if (encoded.isEmpty() || !encoded.get().equals(type)) {
            return skip(file, lineNumber, "key of type " + encoded.orElse("(unreadable)") + " on a line saying " + type);
        }
        // Key types SSHJ cannot represent (e.g. security-key keys) can never be presented to us either.
        if (KeyType.fromString(type) == KeyType.UNKNOWN) {
            return skip(file, lineNumber, "unsupported key type " + type);
        }
        return Optional.of(new Entry(file, lineNumber, marker, hosts, type, blob));
    }

    /** The whitespace-separated fields of a line (OpenSSH separates them by spaces and tabs). */
    private static List<String> fields(String line) {
        List<String> fields = new ArrayList<>(4);
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t' || line.charAt(i) == '\r')) {
                i++;
            }
            int start = i;
            while (i < n && line.charAt(i) != ' ' && line.charAt(i) != '\t' && line.charAt(i) != '\r') {
                i++;
            }
            if (i > start) {
                fields.add(line.substring(start, i));
            }
        }
        return fields;
    }

    /** The first string of a key's wire encoding: its type name, certificates included. */
    private static Optional<String> encodedType(byte[] blob) {
        try {
            return Optional.of(new Buffer.PlainBuffer(blob).readString());
        } catch (Buffer.BufferException | RuntimeException e) {
            return Optional.empty();
        }
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

    /** Whether two keys have the same wire encoding. */
    static boolean sameKey(PublicKey a, PublicKey b) {
        return Arrays.equals(HostKeys.blob(a), HostKeys.blob(b));
    }
}
