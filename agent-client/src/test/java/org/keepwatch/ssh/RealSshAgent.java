package org.keepwatch.ssh;

import org.keepwatch.testing.RequiredCommands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real OpenSSH ssh-agent on a private socket ({@code ssh-agent -a SOCKET -D}), stopped on close. */
final class RealSshAgent implements AutoCloseable {

    private final Process process;
    private final Path socket;

    private RealSshAgent(Process process, Path socket) {
        this.process = process;
        this.socket = socket;
    }

    static RealSshAgent start(Path dir) throws IOException, InterruptedException {
        // Unix socket paths are limited to ~100 bytes; a short name in the temp dir keeps under it.
        Path socket = dir.resolve("agent.sock");
        RequiredCommands.require("ssh-agent", "openssh-client");
        Process process = new ProcessBuilder("ssh-agent", "-a", socket.toString(), "-D")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        for (int i = 0; i < 100 && !Files.exists(socket); i++) {
            Thread.sleep(50);
        }
        if (!Files.exists(socket)) {
            process.destroyForcibly();
            throw new IOException("ssh-agent did not create " + socket);
        }
        return new RealSshAgent(process, socket);
    }

    Path socket() {
        return socket;
    }

    /** ssh-add, talking to this agent only (SSH_AUTH_SOCK set for ssh-add's process, not ours). */
    void add(Path key) {
        OpenSsh.Result result = OpenSsh.run(Map.of("SSH_AUTH_SOCK", socket.toString()), List.of("ssh-add", key.toString()));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("ssh-add failed: " + result.stderr());
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
