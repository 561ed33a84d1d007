package org.keepwatch.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real agent as a local process: what runs on a node, here on this machine's own namespace. */
public final class LocalAgent {
    private LocalAgent() {
    }

    /** The agent file, readable by every user (tests run it as nobody too). */
    public static Path script(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path script = Files.write(dir.resolve("keepwatch_agent.py"), AgentScript.bundled().content());
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        return script;
    }

    public static Process start(Path dir, String... settings) throws IOException {
        List<String> command = new ArrayList<>(List.of("python3", script(dir).toString(), "serve",
                "--state-dir", dir.resolve("state").toString()));
        command.addAll(List.of(settings));
        return new ProcessBuilder(command).start();
    }
}
