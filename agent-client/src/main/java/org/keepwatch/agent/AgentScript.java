package org.keepwatch.agent;

import java.io.IOException;
import java.io.InputStream;
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
    private static final int NAME_HASH_CHARS = 16;

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

    /** Relative to the login directory (SFTP paths are). */
    public String remotePath() {
        return REMOTE_DIRECTORY + "/agent-" + sha256.substring(0, NAME_HASH_CHARS) + ".py";
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
