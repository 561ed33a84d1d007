package org.keepwatch.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;

/** How the protocol's JSON maps to records: snake_case names, unknown fields ignored (newer agents add some). */
public final class ProtocolJson {

    // One for every session: a mapper builds its deserializers on first use, which cost a new
    // mapper per session about a fifth of the client's CPU while a fleet connects. Thread-safe as
    // long as nobody reconfigures it.
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new Jdk8Module())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false);

    private ProtocolJson() {
    }

    /** The shared mapper; use it as it is (configuring it would change every session's). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
