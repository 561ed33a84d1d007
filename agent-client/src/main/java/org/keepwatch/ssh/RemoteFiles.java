package org.keepwatch.ssh;

import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.FileMode;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.RenameFlags;
import net.schmizz.sshj.sftp.Response;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.sftp.SFTPException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Files on the target over SFTP. Relative paths are relative to the login directory (SFTP's starting point), so
 * {@code .cache/keepwatch/x} is {@code ~/.cache/keepwatch/x}. Not thread-safe: one SFTP session per caller.
 */
public final class RemoteFiles implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RemoteFiles.class);

    /** Size and permission bits of a remote file. */
    public record FileInfo(long size, int permissions, boolean directory) {
    }

    /** One entry of a directory listing: its name, whether it is a regular file, and when it was last modified. */
    public record Listed(String name, boolean regularFile, Instant modified) {
    }

    private final SFTPClient sftp;
    private final SecureRandom random = new SecureRandom();

    RemoteFiles(SFTPClient sftp) {
        this.sftp = sftp;
    }

    /** The login directory as an absolute path. */
    public String home() throws IOException {
        return sftp.canonicalize(".");
    }

    /**
     * Like {@code mkdir -p}: creates the directory and any missing parents; fine if it exists, also
     * when another session creates it meanwhile (SFTP answers that mkdir with a bare "Failure": many
     * sessions deploying to one node at once used to fail, and retry seconds later).
     */
    public void mkdirs(String path) throws IOException {
        // One level at a time, each settled before the next: a race lost on any level is a directory made by
        // someone else, which only a fresh stat can tell (a whole-chain retry lost again one level deeper).
        StringBuilder prefix = new StringBuilder(path.startsWith("/") ? "/" : "");
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            prefix.append(part);
            String level = prefix.toString();
            if (!isDirectory(level)) {
                try {
                    sftp.mkdir(level);
                } catch (SFTPException e) {
                    if (!isDirectory(level)) {
                        throw e;
                    }
                }
            }
            prefix.append('/');
        }
    }

    private boolean isDirectory(String path) throws IOException {
        return stat(path).map(FileInfo::directory).orElse(false);
    }

    /** Sets permission bits, e.g. {@code 0700}. */
    public void chmod(String path, int permissions) throws IOException {
        sftp.chmod(path, permissions);
    }

    public Optional<FileInfo> stat(String path) throws IOException {
        try {
            FileAttributes attributes = sftp.stat(path);
            return Optional.of(new FileInfo(attributes.getSize(), attributes.getMode().getPermissionsMask(),
                    attributes.getType() == FileMode.Type.DIRECTORY));
        } catch (SFTPException e) {
            if (e.getStatusCode() == Response.StatusCode.NO_SUCH_FILE) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Writes {@code content} to {@code path} with {@code permissions}: into a temporary file beside it first, then
     * renamed over it, so a reader never sees half a file. Returns the SHA-256 (hex) of what was sent.
     */
    public String upload(InputStream content, String path, int permissions) throws IOException {
        String temporary = path + ".tmp-" + Long.toHexString(random.nextLong());
        MessageDigest sha256 = sha256();
        try {
            RemoteFile file = sftp.open(temporary, EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.EXCL));
            try (file; OutputStream out = file.new RemoteFileOutputStream(0, 16)) {
                byte[] buffer = new byte[32 * 1024];
                int n;
                while ((n = content.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    sha256.update(buffer, 0, n);
                }
            }
            sftp.chmod(temporary, permissions);
            replace(temporary, path);
        } catch (IOException e) {
            removeQuietly(temporary);
            throw e;
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** SHA-256 (hex) of the remote file's content, read back over SFTP. */
    public String sha256(String path) throws IOException {
        MessageDigest sha256 = sha256();
        try (RemoteFile file = sftp.open(path, EnumSet.of(OpenMode.READ));
             InputStream in = file.new ReadAheadRemoteFileInputStream(16)) {
            byte[] buffer = new byte[32 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha256.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** The entries of a directory (without {@code .} and {@code ..}). */
    public List<Listed> list(String directory) throws IOException {
        return sftp.ls(directory).stream()
                .map(r -> new Listed(r.getName(), r.isRegularFile(), Instant.ofEpochSecond(r.getAttributes().getMtime())))
                .toList();
    }

    public void remove(String path) throws IOException {
        sftp.rm(path);
    }

    private void replace(String temporary, String path) throws IOException {
        try {
            // posix-rename@openssh.com: atomic, and overwrites.
            sftp.rename(temporary, path, EnumSet.of(RenameFlags.OVERWRITE, RenameFlags.ATOMIC));
        } catch (SFTPException e) {
            log.debug("atomic rename unavailable ({}); removing {} first", e.getMessage(), path);
            if (stat(path).isPresent()) {
                sftp.rm(path);
            }
            sftp.rename(temporary, path);
        }
    }

    private void removeQuietly(String path) {
        try {
            sftp.rm(path);
        } catch (IOException e) {
            log.debug("could not remove {}: {}", path, e.getMessage());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public void close() throws IOException {
        sftp.close();
    }
}
