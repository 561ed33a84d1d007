package org.keepwatch.push;

import com.fasterxml.jackson.databind.JsonNode;
import org.keepwatch.fleet.DaemonStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The keepalived daemons a node's agent says it knows of (its {@code daemons} answer), for an operator to choose the
 * one whose configuration to open: each by the agent's name with its configuration file, its network namespace and
 * its status in words. An agent that is not root knows only the daemons this node's configuration names, and cannot
 * tell whether they run: {@code unseen} says so in words (empty for a root agent, which sees every keepalived).
 */
public record NodeDaemons(String node, List<Choice> daemons, Optional<String> unseen) {

    /**
     * One daemon: the agent's name for it, its main configuration file, its network namespace (empty: the node's
     * own), its status, and all of that in one line of words.
     */
    public record Choice(String name, Optional<String> config, Optional<String> netns, DaemonStatus status,
                         String description) {
    }

    /** The agent's {@code seen_from} for root's keepalived known to an agent that is not root by its command line. */
    static final String COMMAND_LINE = "command_line";

    public NodeDaemons {
        daemons = List.copyOf(daemons);
    }

    /**
     * From the agent's answer; {@code login} is the agent's user, named where it cannot see a daemon, and
     * {@code readOnly} says the agent is not root.
     */
    public static NodeDaemons of(String node, JsonNode answer, boolean readOnly, String login) {
        List<Choice> choices = new ArrayList<>();
        for (JsonNode d : answer.path("daemons")) {
            String name = d.path("name").asText("");
            if (name.isEmpty()) {
                continue;
            }
            Optional<String> config = text(d, "config");
            Optional<String> netns = text(d, "netns");
            DaemonStatus status = DaemonStatus.of(d.path("alive").asBoolean(), d.path("responsive").asBoolean(),
                    text(d, "stopped_reason"));
            List<String> words = new ArrayList<>();
            words.add(status.describeFor(login));
            words.add(config.map(c -> "configuration " + c).orElse("configuration file not known"));
            boolean fromCommandLine = COMMAND_LINE.equals(d.path("seen_from").asText());
            words.add(netns.map(n -> "namespace " + n).orElse(fromCommandLine
                    ? "seen from its command line (" + login + " cannot look at its process: its namespace is not known)"
                    : "the node's own namespace"));
            text(d, "neutron_router").ifPresent(r -> words.add("Neutron HA router"));
            text(d.path("config_error"), "message").ifPresent(m -> words.add("its configuration cannot be read: " + m));
            choices.add(new Choice(name, config, netns, status, String.join(" · ", words)));
        }
        Optional<String> unseen = readOnly ? Optional.of(login + " is not root: the agent lists the keepalived daemons this "
                + "node's configuration names (keepalived.service, the default configuration file, Neutron's HA routers) "
                + "and those root runs as their command lines say, and cannot tell whether they run; a keepalived that /proc "
                + "hides from " + login + " and the configuration does not name is not seen at all, and a configuration "
                + "file " + login + " may not read cannot be opened") : Optional.empty();
        return new NodeDaemons(node, choices, unseen);
    }

    /** The daemon of that name, if the agent knows it. */
    public Optional<Choice> choice(String name) {
        return daemons.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public List<String> names() {
        return daemons.stream().map(Choice::name).toList();
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() && !value.asText().isEmpty() ? Optional.of(value.asText()) : Optional.empty();
    }
}
