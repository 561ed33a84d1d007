package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One daemon's answer to {@code diagnose} (docs/protocol.md): keepalived's counters around a listening window, the
 * VRRP adverts heard in its network namespace meanwhile, its links and addresses there, and what its firewall drops.
 *
 * @param error why the namespace could not be looked into, if it could not
 * @param dumpProblem why keepalived's counters are missing (not running, hung), if they are
 */
public record DiagnoseReport(String daemon, Optional<String> netns, boolean alive, boolean responsive, double windowSeconds,
                             List<Instance> instances, List<Sender> senders, List<Link> links, List<Address> addresses,
                             Firewall firewall, Listening listening, Optional<String> error, Optional<String> dumpProblem) {

    /** How long the agent gets beyond the window itself: two dumps, the firewall, the thread. */
    private static final Duration MARGIN = Duration.ofSeconds(30);

    public DiagnoseReport {
        instances = List.copyOf(instances);
        senders = List.copyOf(senders);
        links = List.copyOf(links);
        addresses = List.copyOf(addresses);
    }

    /** One VRRP instance of the daemon as its last dump says, its counters, and its own password's fingerprint. */
    public record Instance(String name, int vrid, String state, String interfaceName, int version, double advertInt,
                           String authType, Optional<String> authFingerprint, int effectivePriority, List<String> vips,
                           Map<String, Long> statsMoved) {
        public Instance {
            vips = List.copyOf(vips);
            statsMoved = Map.copyOf(statsMoved);
        }

        public long moved(String counter) {
            return statsMoved.getOrDefault(counter, 0L);
        }
    }

    /** Adverts of one source for one VRID heard on one interface during the window. */
    public record Sender(String interfaceName, int family, String source, int vrid, int version, int priority,
                         double advertIntervalSeconds, String authType, Optional<String> authFingerprint,
                         int addressCount, List<String> addresses, long packets, OptionalInt ttl, long badTtl,
                         long badChecksum, long priorityZero) {
        public Sender {
            addresses = List.copyOf(addresses);
        }
    }

    /** A link of the namespace: administratively up, and with carrier. */
    public record Link(String name, boolean up, boolean carrier) {
    }

    public record Address(String interfaceName, String address, int prefix) {
    }

    /** What nftables drops of VRRP, or why it could not be looked at. */
    public record Firewall(boolean looked, Optional<String> reason, List<Drop> drops) {
        public Firewall {
            drops = List.copyOf(drops);
        }
    }

    /** @param direction "in" or "out" */
    public record Drop(String direction, String where, String rule, String how) {
    }

    public record Listening(long packets, long malformed, Map<String, Long> malformedReasons, long sendersDropped,
                            boolean complete, List<String> problems) {
        public Listening {
            malformedReasons = Map.copyOf(malformedReasons);
            problems = List.copyOf(problems);
        }
    }

    /** Asks the daemon's agent to listen for {@code seconds}; {@code salt} is the same for every member of one diagnosis. */
    public static CompletableFuture<DiagnoseReport> request(AgentSession session, String daemon, Optional<String> instance,
                                                            int seconds, String salt) {
        ObjectNode args = session.json().createObjectNode().put("daemon", daemon).put("seconds", seconds).put("salt", salt);
        instance.ifPresent(i -> args.put("instance", i));
        return session.call("diagnose", args, Duration.ofSeconds(seconds).plus(MARGIN)).thenApply(DiagnoseReport::of);
    }

    public static DiagnoseReport of(JsonNode r) {
        JsonNode fw = r.path("firewall");
        JsonNode listen = r.path("listen");
        Map<String, Long> reasons = new LinkedHashMap<>();
        listen.path("malformed_reasons").fields().forEachRemaining(e -> reasons.put(e.getKey(), e.getValue().asLong()));
        List<String> problems = new ArrayList<>();
        listen.path("problems").forEach(p -> problems.add(p.asText()));
        JsonNode dumps = r.path("dumps");
        return new DiagnoseReport(r.path("daemon").asText(), text(r, "netns"), r.path("alive").asBoolean(),
                r.path("responsive").asBoolean(), r.path("window_s").asDouble(),
                list(r.path("instances"), DiagnoseReport::instance), list(r.path("senders"), DiagnoseReport::sender),
                list(r.path("links"), l -> new Link(l.path("ifname").asText(), l.path("up").asBoolean(),
                        l.path("carrier").asBoolean())),
                list(r.path("addresses"), a -> new Address(a.path("ifname").asText(), a.path("address").asText(),
                        a.path("prefix").asInt())),
                new Firewall(fw.path("looked").asBoolean(), text(fw, "reason"), list(fw.path("drops"),
                        d -> new Drop(d.path("direction").asText(), d.path("where").asText(), d.path("rule").asText(),
                                d.path("how").asText()))),
                new Listening(listen.path("packets").asLong(), listen.path("malformed").asLong(), reasons,
                        listen.path("senders_dropped").asLong(), listen.path("complete").asBoolean(true), problems),
                text(r, "error"),
                dumps.path("before").asBoolean() && dumps.path("after").asBoolean() ? Optional.empty()
                        : text(dumps, "message").or(() -> Optional.of("no dump of keepalived")));
    }

    private static Instance instance(JsonNode i) {
        Map<String, Long> moved = new LinkedHashMap<>();
        i.path("stats_moved").fields().forEachRemaining(e -> moved.put(e.getKey(), e.getValue().asLong()));
        List<String> vips = new ArrayList<>();
        i.path("vips").forEach(v -> vips.add(v.asText()));
        return new Instance(i.path("instance").asText(), i.path("vrid").asInt(), i.path("state").asText("UNKNOWN"),
                i.path("interface").asText(""), i.path("version").asInt(2), i.path("advert_int").asDouble(),
                i.path("auth_type").asText("none"), text(i, "auth_fingerprint"), i.path("effective_priority").asInt(),
                vips, moved);
    }

    private static Sender sender(JsonNode s) {
        List<String> addresses = new ArrayList<>();
        s.path("addresses").forEach(a -> addresses.add(a.asText()));
        return new Sender(s.path("interface").asText(), s.path("family").asInt(4), s.path("source").asText(),
                s.path("vrid").asInt(), s.path("version").asInt(), s.path("priority").asInt(),
                s.path("advert_int_s").asDouble(), s.path("auth_type").asText("none"), text(s, "auth_fingerprint"),
                s.path("address_count").asInt(), addresses, s.path("packets").asLong(),
                s.path("ttl").isInt() ? OptionalInt.of(s.path("ttl").asInt()) : OptionalInt.empty(),
                s.path("bad_ttl").asLong(), s.path("bad_checksum").asLong(), s.path("priority_zero").asLong());
    }

    private static <T> List<T> list(JsonNode array, Function<JsonNode, T> each) {
        List<T> out = new ArrayList<>();
        array.forEach(n -> out.add(each.apply(n)));
        return out;
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }
}
