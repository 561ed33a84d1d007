package org.keepwatch.ssh;

import org.keepwatch.testing.RequiredCommands;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs OpenSSH's own tools (ssh -G, ssh-keygen, ssh-agent, ssh-add) for tests to compare against. */
final class OpenSsh {

    private OpenSsh() {
    }

    record Result(int exitCode, String stdout, String stderr) {
    }

    static Result run(Map<String, String> env, List<String> command) {
        RequiredCommands.require(command.get(0), "openssh-client");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        try {
            Process process = builder.start();
            var stdout = process.getInputStream().readAllBytes();
            var stderr = process.getErrorStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            return new Result(process.exitValue(), new String(stdout, StandardCharsets.UTF_8),
                    new String(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Result run(String... command) {
        return run(Map.of(), List.of(command));
    }

    /** {@code ssh -F config -G [extra] host}, as keyword → values (repeated keywords keep every value). */
    static Map<String, List<String>> sshG(Path config, String host, String... extra) {
        List<String> command = new ArrayList<>(List.of("ssh", "-F", config.toString(), "-G"));
        command.addAll(List.of(extra));
        command.add(host);
        Result result = run(Map.of(), command);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("ssh -G failed: " + result.stderr());
        }
        Map<String, List<String>> options = new LinkedHashMap<>();
        for (String line : result.stdout().split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0) {
                options.computeIfAbsent(line.substring(0, space), k -> new ArrayList<>()).add(line.substring(space + 1));
            }
        }
        return options;
    }

    /** A new key pair by ssh-keygen; returns the private key file (the public one is beside it, + ".pub"). */
    static Path keygen(Path dir, String name, String type, String passphrase, String... extra) {
        Path key = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", type, "-N", passphrase,
                "-C", name, "-f", key.toString()));
        command.addAll(List.of(extra));
        Result result = run(Map.of(), command);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("ssh-keygen failed: " + result.stderr());
        }
        return key;
    }
}
