package org.keepwatch.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The agent's Python file as shipped in this jar, with its SHA-256. On a node it lives at
 * {@code ~/.cache/keepwatch/agent-<first 16 hex digits>.py}: a new version gets a new name, so an
 * old session's file is never rewritten under it.
 */
public record AgentScript(byte[] content, String sha256) {

    public static final String RESOURCE = "/org/keepwatch/agent/keepwatch_agent.py";
    public static final String REMOTE_DIRECTORY = ".cache/keepwatch";
    static final int NAME_HASH_CHARS = 16;
    /** The agent's own start program (BOOTSTRAP in the Python file) sits between these two lines. */
    static final String BOOTSTRAP_START = "# --- bootstrap start ---\nBOOTSTRAP = r\"\"\"";
    static final String BOOTSTRAP_END = "\"\"\"\n# --- bootstrap end ---";
    /** Python's options for the agent, as the agent's BOOTSTRAP_PYTHON_FLAGS (it starts itself again with them). */
    static final String PYTHON_FLAGS = "-I -S";

    public AgentScript {
        content = content.clone();
    }

    public static AgentScript bundled() {
        try (InputStream in = Objects.requireNonNull(AgentScript.class.getResourceAsStream(RESOURCE), RESOURCE)) {
            return of(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("the agent is missing from this build: " + RESOURCE, e);
        }
    }

    public static AgentScript of(byte[] content) {
        return new AgentScript(content, sha256(content));
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    /** Relative to the login directory (SFTP paths are, and sshd starts commands there). */
    public String remotePath() {
        return REMOTE_DIRECTORY + "/agent-" + sha256.substring(0, NAME_HASH_CHARS) + ".py";
    }

    /**
     * The agent's BOOTSTRAP program: it reads the file once, refuses it unless its SHA-256 is this
     * one's (exit status 87, "keepwatch-agent: not deployed: ..." on stderr), and runs it in this one
     * Python process from its cached compiled code (see the comment above BOOTSTRAP in the agent).
     */
    public String bootstrap() {
        String text = new String(content, StandardCharsets.UTF_8);
        int start = text.indexOf(BOOTSTRAP_START);
        int end = start < 0 ? -1 : text.indexOf(BOOTSTRAP_END, start);
        if (start < 0 || end < 0) {
            throw new IllegalStateException("the agent has no BOOTSTRAP between its marker lines");
        }
        String program = text.substring(start + BOOTSTRAP_START.length(), end);
        if (program.indexOf('\'') >= 0) {
            throw new IllegalStateException("the agent's BOOTSTRAP must not contain a single quote: it is passed in them");
        }
        return program;
    }

    /**
     * The exec command that starts this agent from {@code path} (relative to the login directory,
     * or absolute): {@code python3 -I -S -c '<bootstrap>' PATH --sha256=<hash> serve}, one Python
     * process that checks the file's hash before it runs a line of it. Isolated ({@code -I}): under
     * sudo it runs as root in the login user's home, and without it Python would import a module
     * the login user left there (the working directory comes first on the import path of {@code -c})
     * and read their PYTHON* variables. No site module ({@code -S}): the agent uses the standard
     * library only, and site costs a third of a bare Python start.
     */
    public String startCommand(String path, boolean sudo) {
        return (sudo ? "sudo -n " : "") + "python3 " + PYTHON_FLAGS + " -c " + shellQuote(bootstrap()) + " "
                + shellQuote(path) + " --sha256=" + sha256 + " serve";
    }

    /**
     * The start command for a sudo that asks for a password ({@link SudoHandshake}): {@code sudo -k -S -p PROMPT
     * python3 ...}. {@code -k} ignores credentials sudo cached for this login (so it always asks, and the password
     * line never reaches the agent as a request), {@code -S} reads the password as one line from stdin (byte by byte:
     * nothing after the newline is consumed) and writes {@code prompt} to stderr, where the client waits for it
     * before it sends anything. The Python program first writes {@code ready} as a line to stderr: it runs only once
     * sudo accepted the password, so the client sends the agent's first request only after it.
     */
    public String sudoPasswordStartCommand(String path, String prompt, String ready) {
        if (!prompt.matches("[A-Za-z0-9 \\[\\]:._-]+") || !ready.matches("[A-Za-z0-9 :._-]+")) {
            throw new IllegalArgumentException("the sudo prompt and ready line are plain words");
        }
        String announce = "import sys as kw_sys\nkw_sys.stderr.write(\"" + ready + "\\n\")\nkw_sys.stderr.flush()\n";
        return "sudo -k -S -p " + shellQuote(prompt) + " python3 " + PYTHON_FLAGS + " -c "
                + shellQuote(announce + bootstrap()) + " " + shellQuote(path) + " --sha256=" + sha256 + " serve";
    }

    static String shellQuote(String value) {
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
