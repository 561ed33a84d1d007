package org.keepwatch.agent;

import java.io.IOException;

/** The agent ended (or its channel closed) while a request waited for an answer. */
public final class AgentGoneException extends IOException {
    public AgentGoneException(String message) {
        super(message);
    }
}
