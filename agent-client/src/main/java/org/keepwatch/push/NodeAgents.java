package org.keepwatch.push;

import org.keepwatch.agent.AgentEvent;
import org.keepwatch.agent.AgentSession;

import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/** The agents the editor talks to: each node's live session, and its events while an apply runs. */
public interface NodeAgents {

    Optional<AgentSession> session(String node);

    /** Hears the node's agent events until the returned action is run. */
    Runnable listen(String node, Consumer<AgentEvent> listener);

    static NodeAgents of(Function<String, Optional<AgentSession>> sessions,
                         BiFunction<String, Consumer<AgentEvent>, Runnable> listeners) {
        return new NodeAgents() {
            @Override
            public Optional<AgentSession> session(String node) {
                return sessions.apply(node);
            }

            @Override
            public Runnable listen(String node, Consumer<AgentEvent> listener) {
                return listeners.apply(node, listener);
            }
        };
    }
}
