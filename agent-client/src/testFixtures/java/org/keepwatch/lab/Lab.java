package org.keepwatch.lab;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real keepalived lab (lab/ in the repository), driven from tests: its scripts, its status
 * report and the ground truth of which node holds an address. Needs root; see lab/README.md.
 */
public final class Lab {

    public static final Path LAB_DIR = Path.of(System.getenv().getOrDefault("KW_LAB_DIR", "/var/lib/kw-lab"));
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);
    private static final Pattern KEEPALIVED_VERSION = Pattern.compile("Keepalived v(\\d+\\.\\d+\\.\\d+)");

    private final Path scripts;
    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public Lab(Path scripts) {
        this.scripts = scripts;
    }

    /** Finds lab/ by walking up from the working directory (Maven runs tests in the module directory). */
    public static Lab fromWorkingDirectory() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isExecutable(dir.resolve("lab/up"))) {
                return new Lab(dir.resolve("lab"));
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no lab/up above " + Path.of("").toAbsolutePath());
    }

    /** One of the lab's commands (up, down, fail, heal, status, exec, testbed). */
    public Path script(String name) {
        return scripts.resolve(name);
    }

    public Path fleetFile() {
        return LAB_DIR.resolve("fleet.json");
    }

    public Path knownHosts() {
        return LAB_DIR.resolve("keys/known_hosts");
    }

    public Path clientKey() {
        return LAB_DIR.resolve("keys/id_ed25519");
    }

    /** Runs a lab script (up, down, fail, heal, status, exec) and returns its result. */
    public Result run(String script, String... args) {
        List<String> command = new ArrayList<>();
        command.add(script(script).toString());
        command.addAll(List.of(args));
        return exec(command);
    }

    /** Runs a lab script and fails with its output if it does not exit 0. */
    public String ok(String script, String... args) {
        Result result = run(script, args);
        if (result.exitCode() != 0) {
            throw new AssertionError("lab/" + script + " " + String.join(" ", args) + " exited "
                    + result.exitCode() + ":\n" + result.stdout() + result.stderr());
        }
        return result.stdout();
    }

    public LabStatus status() {
        Result result = run("status", "--json");
        if (result.exitCode() > 1) {
            throw new AssertionError("lab/status failed: " + result.stderr());
        }
        try {
            return json.readValue(result.stdout(), LabStatus.class);
        } catch (IOException e) {
            throw new AssertionError("lab/status --json printed no JSON: " + result.stdout(), e);
        }
    }

    /**
     * Ground truth without asking keepalived: does the node's namespace have the address on an
     * interface? (The lab's node namespaces are visible from the root namespace as kw-NAME.)
     */
    public boolean holds(String node, String address) {
        Result result = exec(List.of("ip", "-n", "kw-" + node, "-o", "-4", "addr", "show"));
        return result.stdout().contains(" " + address + "/");
    }

    /**
     * The version of the keepalived a node runs, from the node itself ({@code keepalived --version} inside it): in a
     * mixed lab (lab/up --releases) each node runs its own Debian release's.
     */
    public String keepalivedVersion(String node) {
        Result result = run("exec", node, "keepalived", "--version");
        Matcher version = KEEPALIVED_VERSION.matcher(result.stdout() + result.stderr());
        if (!version.find()) {
            throw new AssertionError("keepalived --version on " + node + " printed no version: " + result);
        }
        return version.group(1);
    }

    public List<String> holders(List<String> nodes, String address) {
        return nodes.stream().filter(node -> holds(node, address)).toList();
    }

    /** Waits until the condition holds; returns how long that took, or empty on timeout. */
    public static Optional<Duration> await(Duration timeout, Duration poll, BooleanSupplier condition) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return Optional.of(Duration.ofNanos(System.nanoTime() - start));
            }
            if (System.nanoTime() > deadline) {
                return Optional.empty();
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /**
     * Waits until every router of the lab has exactly one MASTER, every VIP exactly one holder, and
     * preemption is over (the MASTER has its router's highest priority).
     */
    public LabStatus awaitHealthy(Duration timeout) {
        LabStatus[] last = new LabStatus[1];
        Optional<Duration> took = await(timeout, Duration.ofMillis(500), () -> {
            last[0] = status();
            return last[0].settled();
        });
        if (took.isEmpty()) {
            throw new AssertionError("lab not healthy after " + timeout + ":\n" + run("status").stdout());
        }
        return last[0];
    }

    public static Result exec(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).start();
            process.getOutputStream().close();
            // Read both streams fully before waiting so a chatty process cannot block on a full pipe.
            var stderr = process.getErrorStream();
            var errorText = new StringBuilder();
            Thread drain = new Thread(() -> {
                try {
                    errorText.append(new String(stderr.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the process died; what was read is what there is
                }
            });
            drain.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            drain.join();
            return new Result(process.exitValue(), out, errorText.toString());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + command, e);
        }
    }

    public record Result(int exitCode, String stdout, String stderr) {
    }
}
