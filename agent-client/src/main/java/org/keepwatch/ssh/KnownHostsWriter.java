package org.keepwatch.ssh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Set;

/**
 * Appends accepted host keys to the user's known_hosts: written to a temporary file beside it, synced and renamed
 * over it, so a crash never leaves a half-written line; a new file gets mode 0600 (and a new directory 0700).
 * Host names are hashed when the config says HashKnownHosts yes.
 */
final class KnownHostsWriter {

    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    private final SecureRandom random = new SecureRandom();

    /** The line written for a key, e.g. {@code [10.0.0.1]:2222 ssh-ed25519 AAAA...}. */
    String line(String host, int port, PublicKey key, boolean hash) {
        String name = KnownHostsFile.hostKeyName(host, port);
        if (hash) {
            byte[] salt = new byte[20];
            random.nextBytes(salt);
            name = KnownHostsFile.hashedName(name, salt);
        }
        return name + " " + HostKeys.openSshText(HostKeys.plainKey(key));
    }

    /** Serialised so two connections accepting keys at once do not lose one of them. */
    synchronized void append(Path file, String line) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        }
        byte[] existing;
        Set<PosixFilePermission> permissions;
        try {
            existing = Files.readAllBytes(file);
            permissions = Files.getPosixFilePermissions(file);
        } catch (NoSuchFileException e) {
            existing = new byte[0];
            permissions = OWNER_ONLY_FILE;
        }
        boolean needsNewline = existing.length > 0 && existing[existing.length - 1] != '\n';
        byte[] added = ((needsNewline ? "\n" : "") + line + "\n").getBytes(StandardCharsets.UTF_8);

        Path temporary = dir.resolve("." + file.getFileName() + ".keepwatch-" + Long.toHexString(random.nextLong()));
        try {
            try (FileChannel out = FileChannel.open(temporary, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))) {
                out.write(ByteBuffer.wrap(existing));
                out.write(ByteBuffer.wrap(added));
                out.force(true);
            }
            Files.setPosixFilePermissions(temporary, permissions);
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
