package org.keepwatch.secrets;

import org.keepwatch.process.BoundedProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The freedesktop Secret Service (GNOME Keyring, KWallet) through {@code secret-tool} from libsecret-tools:
 * run with an argument list, never a shell; the secret goes through stdin and stdout only, never the command
 * line. Every entry carries {@code application=keepwatch}.
 */
public final class SecretToolKeyring implements Keyring {

    private static final Logger log = LoggerFactory.getLogger(SecretToolKeyring.class);
    /** A locked keyring asks the user to unlock it: give them time. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** A secret, or secret-tool's complaint, is far smaller; more is not read. */
    private static final int MAX_OUTPUT_BYTES = 64 * 1024;
    private final Path executable;
    private final BoundedProcess process;
    private volatile Boolean available;

    /** @param environment the process environment (DBUS_SESSION_BUS_ADDRESS, PATH) */
    public SecretToolKeyring(Path executable, Map<String, String> environment) {
        this(executable, environment, DEFAULT_TIMEOUT);
    }

    /** @param timeout how long one secret-tool call may take before it is killed and counts as no answer */
    public SecretToolKeyring(Path executable, Map<String, String> environment, Duration timeout) {
        this.executable = executable;
        this.process = new BoundedProcess(environment, timeout, MAX_OUTPUT_BYTES);
    }

    /** secret-tool from PATH, or {@link Keyring#NONE} when there is none. */
    public static Keyring find(Map<String, String> environment) {
        String path = environment.getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "secret-tool");
            if (Files.isExecutable(candidate)) {
                return new SecretToolKeyring(candidate, environment);
            }
        }
        return new Keyring() {
            @Override
            public boolean available() {
                return false;
            }

            @Override
            public String unavailableReason() {
                return "secret-tool is not installed (apt-get install libsecret-tools), so passwords cannot be "
                        + "kept in the desktop keyring";
            }
        };
    }

    @Override
    public boolean available() {
        Boolean known = available;
        if (known == null) {
            // A lookup that finds nothing exits 1; no Secret Service (no D-Bus session) fails with a message.
            BoundedProcess.Outcome probe = run(List.of("lookup", "application", "keepwatch", "probe", "availability"), null);
            known = probe.started() && !probe.timedOut() && probe.stderr().isBlank() && (probe.exit() == 0 || probe.exit() == 1);
            available = known;
            if (!known) {
                log.info("no usable Secret Service: {}", probe.stderr().isBlank() ? "secret-tool failed" : probe.stderr().strip());
            }
        }
        return known;
    }

    @Override
    public String unavailableReason() {
        return "the desktop keyring (Secret Service) does not answer";
    }

    @Override
    public Optional<char[]> lookup(Key key) {
        List<String> args = new ArrayList<>(List.of("lookup"));
        args.addAll(attributes(key));
        BoundedProcess.Outcome result = run(args, null);
        if (result.exit() != 0 || result.stdout().length == 0) {
            Arrays.fill(result.stdout(), (byte) 0);
            return Optional.empty();
        }
        return Optional.of(decode(result.stdout()));
    }

    @Override
    public void store(Key key, char[] secret) {
        List<String> args = new ArrayList<>(List.of("store", "--label=" + key.label()));
        args.addAll(attributes(key));
        byte[] bytes = encode(secret);
        try {
            BoundedProcess.Outcome result = run(args, bytes);
            if (result.exit() != 0) {
                log.warn("the keyring did not store {}: {}", key.label(), result.stderr().strip());
            }
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    @Override
    public void clear(Key key) {
        List<String> args = new ArrayList<>(List.of("clear"));
        args.addAll(attributes(key));
        run(args, null);
    }

    /** The attributes in a stable order, with application=keepwatch first. */
    static List<String> attributes(Key key) {
        List<String> out = new ArrayList<>(List.of("application", "keepwatch"));
        new TreeMap<>(key.attributes()).forEach((name, value) -> {
            out.add(name);
            out.add(value);
        });
        return out;
    }

    /** secret-tool with the given arguments, for at most the timeout (see {@link BoundedProcess}). */
    private BoundedProcess.Outcome run(List<String> args, byte[] input) {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(args);
        return process.run(command, input);
    }

    private static byte[] encode(char[] secret) {
        ByteBuffer buffer = StandardCharsets.UTF_8.encode(CharBuffer.wrap(secret));
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        Arrays.fill(buffer.array(), (byte) 0);
        return bytes;
    }

    private static char[] decode(byte[] bytes) {
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\n') {
            length--;
        }
        CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, length));
        char[] secret = new char[chars.remaining()];
        chars.get(secret);
        Arrays.fill(chars.array(), '\0');
        Arrays.fill(bytes, (byte) 0);
        return secret;
    }
}
