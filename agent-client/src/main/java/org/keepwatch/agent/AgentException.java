package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.Optional;

/**
 * The agent answered a request with an error: a stable code (docs/protocol.md) and a message a
 * person can act on, with optional details (for {@code conflict}: the file's current text).
 */
public final class AgentException extends IOException {

    private final String code;
    private final JsonNode details;

    public AgentException(String code, String message, JsonNode details) {
        super(message);
        this.code = code;
        this.details = details;
    }

    public String code() {
        return code;
    }

    public Optional<JsonNode> details() {
        return Optional.ofNullable(details).filter(d -> !d.isMissingNode() && !d.isNull());
    }
}
