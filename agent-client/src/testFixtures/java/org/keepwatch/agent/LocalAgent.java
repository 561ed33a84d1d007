package org.keepwatch.agent;

import org.keepwatch.testing.RequiredCommands;

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

    /**
     * Starts the agent on this machine. Unless {@code settings} say otherwise it manages only daemons whose
     * configuration lies in {@code dir}: a keepalived of the lab's, of another test's or of another user on
     * this machine is not the test's business and must not change what it sees.
     */
    public static Process start(Path dir, String... settings) throws IOException {
        RequiredCommands.require("python3", "python3");
        List<String> command = new ArrayList<>(List.of("python3", script(dir).toString(), "serve",
                "--state-dir", dir.resolve("state").toString()));
        if (!List.of(settings).contains("--match-config")) {
            command.addAll(List.of("--match-config", ownConfigs(dir)));
        }
        command.addAll(List.of(settings));
        return new ProcessBuilder(command).start();
    }

    /** The agent's {@code --match-config} glob for configuration files under {@code dir} only. */
    public static String ownConfigs(Path dir) {
        return dir.toAbsolutePath() + "/*";
    }
}
