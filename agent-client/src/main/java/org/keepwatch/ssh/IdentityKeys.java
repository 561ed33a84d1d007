package org.keepwatch.ssh;

import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Private keys from identity files, read (and decrypted) once per {@link SshConnector} and then held in this
 * process's memory only, as ssh-agent holds them: a fleet's hundred connections ask for a key's passphrase once,
 * not a hundred times, and parse the file once. Nothing is ever written anywhere. A key file that changes is read
 * again. Connections that need a key while its passphrase is being asked wait for that one answer; a passphrase
 * the person declined is not asked again for {@link #DECLINED_QUIET}, so a connect wave does not ask everyone's
 * question again, while a later reconnect does.
 */
final class IdentityKeys {

    static final Duration DECLINED_QUIET = Duration.ofSeconds(30);

    private record Held(FileStamp stamp, KeyPair keys) {
    }

    private final Clock clock;
    private final Map<Path, Held> held = new ConcurrentHashMap<>();
    private final Map<Path, Instant> declinedAt = new ConcurrentHashMap<>();
    private final Map<Path, Object> locks = new ConcurrentHashMap<>();

    IdentityKeys(Clock clock) {
        this.clock = clock;
    }

    /**
     * A provider for {@code file} that uses the key held for it, or reads it through {@code fromFile} (which may ask
     * for the passphrase) the first time the private key is needed and then holds it. {@code passphraseDeclined}
     * tells, after a failed read, whether the person cancelled the passphrase question.
     */
    KeyProvider provider(Path file, KeyProvider fromFile, BooleanSupplier passphraseDeclined) {
        return new KeyProvider() {
            @Override
            public PrivateKey getPrivate() throws IOException {
                return privateKey(file, fromFile, passphraseDeclined);
            }

            @Override
            public PublicKey getPublic() throws IOException {
                Optional<KeyPair> keys = current(file);
                return keys.isPresent() ? keys.get().getPublic() : fromFile.getPublic();
            }

            @Override
            public KeyType getType() throws IOException {
                Optional<KeyPair> keys = current(file);
                return keys.isPresent() ? KeyType.fromKey(keys.get().getPublic()) : fromFile.getType();
            }
        };
    }

    private PrivateKey privateKey(Path file, KeyProvider fromFile, BooleanSupplier passphraseDeclined) throws IOException {
        synchronized (locks.computeIfAbsent(file, f -> new Object())) {
            Optional<KeyPair> keys = current(file);
            if (keys.isPresent()) {
                return keys.get().getPrivate();
            }
            Instant declined = declinedAt.get(file);
            if (declined != null && clock.instant().isBefore(declined.plus(DECLINED_QUIET))) {
                throw new IOException("the passphrase of " + file + " was declined a moment ago");
            }
            Optional<FileStamp> before = stamp(file);
            try {
                PrivateKey key = fromFile.getPrivate();
                PublicKey publicKey = fromFile.getPublic();
                before.ifPresent(s -> held.put(file, new Held(s, new KeyPair(publicKey, key))));
                declinedAt.remove(file);
                return key;
            } catch (IOException | RuntimeException e) {
                if (passphraseDeclined.getAsBoolean()) {
                    declinedAt.put(file, clock.instant());
                }
                throw e;
            }
        }
    }

    /** The key held for {@code file} if the file is still the one it was read from. */
    private Optional<KeyPair> current(Path file) {
        Held h = held.get(file);
        if (h == null) {
            return Optional.empty();
        }
        if (!stamp(file).map(h.stamp()::equals).orElse(false)) {
            held.remove(file, h);
            return Optional.empty();
        }
        return Optional.of(h.keys());
    }

    private static Optional<FileStamp> stamp(Path file) {
        try {
            return Optional.of(FileStamp.of(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
