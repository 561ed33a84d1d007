package org.keepwatch.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** An event line from the agent, typed. {@code ts} is the node's clock (seconds since the epoch). */
public sealed interface AgentEvent {

    double ts();

    /** An instance's state, priority or VIPs changed (or it appeared, or it was deleted). */
    record State(double ts, String daemon, Optional<String> netns, InstanceState instance, List<String> changed,
                 String cause, Optional<String> prevState) implements AgentEvent {
    }

    /** A VIP was added to or removed from an interface, or found orphaned. */
    record Vip(double ts, String action, VipPresence vip) implements AgentEvent {
    }

    /** A daemon started, stopped, died, stopped or resumed answering. */
    /** {@code stoppedReason} comes with {@code configured} (a daemon known from its configuration only): died or stopped. */
    record Daemon(double ts, String daemon, String action, Optional<Integer> pid, Optional<String> message,
                  Optional<String> stoppedReason) implements AgentEvent {
    }

    record Heartbeat(double ts, long seq, int daemons) implements AgentEvent {
    }

    /** A daemon's maintenance weight changed (set by this session or another, or its wiring edited). */
    record Maintenance(double ts, String daemon, MaintenanceRecord maintenance) implements AgentEvent {
    }

    /** A daemon's configuration files changed on the node (an edit by hand or by a push, an include added). */
    record Config(double ts, String daemon, String action, Optional<String> config) implements AgentEvent {
    }

    /** One step of a config.apply, as it happens. */
    record ApplyStepEvent(double ts, JsonNode step) implements AgentEvent {
    }

    /** An event this client does not know (a newer agent); kept so nothing is silently lost. */
    record Other(double ts, String name, JsonNode raw) implements AgentEvent {
    }

    static AgentEvent parse(JsonNode line, ObjectMapper json) {
        double ts = line.path("ts").asDouble();
        String name = line.path("event").asText();
        try {
            return switch (name) {
                case "state" -> new State(ts, line.path("daemon").asText(), text(line, "netns"),
                        json.treeToValue(line, InstanceState.class),
                        strings(line.path("changed")),
                        line.path("cause").asText(""), text(line, "prev_state"));
                case "vip" -> new Vip(ts, line.path("action").asText(), json.treeToValue(line, VipPresence.class));
                case "daemon" -> new Daemon(ts, line.path("daemon").asText(), line.path("action").asText(),
                        line.hasNonNull("pid") ? Optional.of(line.get("pid").asInt()) : Optional.empty(),
                        text(line, "message"), text(line.path("info"), "stopped_reason"));
                case "heartbeat" -> new Heartbeat(ts, line.path("seq").asLong(), line.path("daemons").asInt());
                case "apply.step" -> new ApplyStepEvent(ts, line);
                case "config" -> new Config(ts, line.path("daemon").asText(), line.path("action").asText(), text(line, "config"));
                case "maintenance" -> new Maintenance(ts, line.path("daemon").asText(),
                        json.treeToValue(line.path("maintenance"), MaintenanceRecord.class));
                default -> new Other(ts, name, line);
            };
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return new Other(ts, name, line);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.forEach(item -> result.add(item.asText()));
        return List.copyOf(result);
    }

    private static Optional<String> text(JsonNode line, String field) {
        JsonNode value = line.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }
}
