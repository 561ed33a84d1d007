package org.keepwatch.diagnosis;

import org.keepwatch.agent.DiagnoseReport;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The diagnosis of one router from every member's answer: pure, so that each rule is tested on answers made by hand.
 * A sender is a member when one of that member's addresses is its source; any other source using the router's VRID on
 * a member's VRRP interface is a stranger. Who is expected to advertise: every member whose keepalived says MASTER
 * (only a master sends adverts) and every member someone heard.
 */
public final class DiagnosisRules {

    private static final String MASTER = "MASTER";
    private static final String FAULT = "FAULT";
    private static final List<String> AUTH_COUNTERS = List.of("auth_failure", "authtype_mismatch", "invalid_authtype");
    private static final List<String> CONFIG_COUNTERS = List.of("advert_interval_err", "addr_list_err");

    private DiagnosisRules() {
    }

    /** @param members the router's members as the fleet knows them, each with its agent's answer or why it has none */
    public static Diagnosis judge(String router, int vrid, List<MemberEvidence> members) {
        Judgement j = new Judgement(vrid, members);
        List<Finding> findings = new ArrayList<>();
        findings.addAll(j.interfacesDown());
        findings.addAll(j.firewalls());
        findings.addAll(j.authMismatch());
        findings.addAll(j.strangers());
        findings.addAll(j.configMismatch());
        findings.addAll(j.partitionsAndLoss());
        findings.addAll(j.daemonsDown());
        findings.addAll(j.unreached());
        findings.sort(Comparator.comparing(Finding::cause));
        Finding verdict = findings.isEmpty() ? j.nothingFound() : findings.get(0);
        List<Finding> others = findings.isEmpty() ? List.of() : findings.subList(1, findings.size());
        double window = members.stream().flatMap(m -> m.report().stream()).mapToDouble(DiagnoseReport::windowSeconds)
                .max().orElse(0);
        return new Diagnosis(router, vrid, window, verdict, others, j.hearing, members, j.notes);
    }

    /** The answers of one diagnosis, read once: who is who, who heard whom. */
    private static final class Judgement {
        final int vrid;
        final List<MemberEvidence> members;
        final List<MemberEvidence> answered;
        final Map<String, String> ownerOfAddress = new LinkedHashMap<>();
        final Map<String, DiagnoseReport.Instance> instances = new LinkedHashMap<>();
        final Map<String, List<DiagnoseReport.Sender>> heard = new LinkedHashMap<>();
        final Set<String> senders = new LinkedHashSet<>();
        final List<Hearing> hearing = new ArrayList<>();
        final List<String> notes = new ArrayList<>();

        Judgement(int vrid, List<MemberEvidence> members) {
            this.vrid = vrid;
            this.members = members;
            this.answered = members.stream().filter(m -> m.report().isPresent()).toList();
            for (MemberEvidence m : answered) {
                m.report().get().addresses().forEach(a -> ownerOfAddress.putIfAbsent(a.address(), m.node()));
                m.instanceIn(vrid).ifPresent(i -> instances.put(m.node(), i));
            }
            // a member that could not answer is still known by the address the fleet gives it: not a stranger
            members.forEach(m -> m.fleetAddresses().forEach(a -> ownerOfAddress.putIfAbsent(a, m.node())));
            for (MemberEvidence m : answered) {
                DiagnoseReport r = m.report().get();
                Optional<String> iface = Optional.ofNullable(instances.get(m.node()))
                        .map(DiagnoseReport.Instance::interfaceName).filter(s -> !s.isEmpty());
                List<DiagnoseReport.Sender> mine = r.senders().stream()
                        .filter(s -> s.vrid() == vrid)
                        .filter(s -> iface.isEmpty() || iface.get().equals(s.interfaceName()))
                        .filter(s -> !m.node().equals(ownerOfAddress.get(s.source())))
                        .toList();
                heard.put(m.node(), mine);
                mine.stream().map(s -> ownerOfAddress.get(s.source())).filter(Objects::nonNull).forEach(senders::add);
                r.error().ifPresent(e -> notes.add(m.node() + ": " + e));
                if (!r.firewall().looked()) {
                    notes.add(m.node() + ": " + r.firewall().reason().orElse("could not look at the firewall"));
                }
                r.listening().problems().forEach(p -> notes.add(m.node() + ": " + p));
                if (r.listening().malformed() > 0) {
                    notes.add(m.node() + " received " + r.listening().malformed()
                            + " malformed VRRP packets (" + r.listening().malformedReasons() + ")");
                }
                if (!r.listening().complete()) {
                    notes.add(m.node() + " stopped listening early: more packets than it reads in one window (a flood?)");
                }
            }
            instances.forEach((node, i) -> {
                if (MASTER.equals(i.state())) {
                    senders.add(node);
                }
            });
            for (MemberEvidence listener : answered) {
                if (listener.report().get().error().isPresent()) {
                    continue;
                }
                for (String sender : senders) {
                    if (!sender.equals(listener.node())) {
                        Optional<DiagnoseReport.Sender> s = fromMember(listener.node(), sender);
                        hearing.add(new Hearing(listener.node(), sender, false, s.map(DiagnoseReport.Sender::packets).orElse(0L),
                                s.map(x -> OptionalInt.of(x.priority())).orElse(OptionalInt.empty())));
                    }
                }
                for (DiagnoseReport.Sender s : heard.get(listener.node())) {
                    if (ownerOfAddress.get(s.source()) == null) {
                        hearing.add(new Hearing(listener.node(), s.source(), true, s.packets(), OptionalInt.of(s.priority())));
                    }
                }
            }
        }

        Optional<DiagnoseReport.Sender> fromMember(String listener, String member) {
            return heard.getOrDefault(listener, List.of()).stream()
                    .filter(s -> member.equals(ownerOfAddress.get(s.source()))).findFirst();
        }

        boolean hears(String listener, String sender) {
            return fromMember(listener, sender).isPresent();
        }

        boolean listened(String node) {
            return answered.stream().anyMatch(m -> m.node().equals(node) && m.report().get().error().isEmpty());
        }

        List<Finding> interfacesDown() {
            List<Finding> out = new ArrayList<>();
            for (MemberEvidence m : answered) {
                DiagnoseReport.Instance i = instances.get(m.node());
                if (i == null || i.interfaceName().isEmpty()) {
                    continue;
                }
                Optional<DiagnoseReport.Link> link = m.report().get().links().stream()
                        .filter(l -> l.name().equals(i.interfaceName())).findFirst();
                if (link.isEmpty() && m.report().get().error().isPresent()) {
                    continue;
                }
                if (link.isEmpty() || !link.get().up() || !link.get().carrier()) {
                    String how = link.isEmpty() ? "is missing" : !link.get().up() ? "is down (administratively)" : "has no carrier";
                    List<String> evidence = new ArrayList<>();
                    evidence.add(m.node() + ": link " + i.interfaceName() + " " + how);
                    evidence.add(m.node() + ": " + i.name() + " is " + i.state()
                            + (FAULT.equals(i.state()) ? " (keepalived's answer to a link down)" : ""));
                    out.add(new Finding(Cause.INTERFACE_DOWN, Optional.of(m.node()),
                            m.node() + "'s VRRP interface " + i.interfaceName() + " " + how + ".", evidence));
                }
            }
            return out;
        }

        List<Finding> firewalls() {
            List<Finding> out = new ArrayList<>();
            for (MemberEvidence m : answered) {
                List<DiagnoseReport.Drop> drops = m.report().get().firewall().drops();
                if (drops.isEmpty()) {
                    continue;
                }
                Set<String> directions = drops.stream().map(d -> d.direction().equals("in") ? "coming in" : "going out")
                        .collect(Collectors.toCollection(LinkedHashSet::new));
                List<String> evidence = new ArrayList<>();
                drops.forEach(d -> evidence.add(m.node() + ": nftables " + d.where() + ": " + d.rule()
                        + (d.how().equals("policy") ? " (no rule accepts VRRP first)" : "")));
                addHearingEvidence(m.node(), evidence);
                out.add(new Finding(Cause.FIREWALL, Optional.of(m.node()),
                        m.node() + "'s firewall drops VRRP " + String.join(" and ", directions) + ".", evidence));
            }
            return out;
        }

        List<Finding> authMismatch() {
            Map<String, List<String>> byAuth = new TreeMap<>();
            instances.forEach((node, i) -> byAuth.computeIfAbsent(authKey(i), k -> new ArrayList<>()).add(node));
            List<String> evidence = new ArrayList<>();
            for (MemberEvidence m : answered) {
                DiagnoseReport.Instance i = instances.get(m.node());
                if (i != null) {
                    long failures = AUTH_COUNTERS.stream().mapToLong(i::moved).sum();
                    if (failures > 0) {
                        evidence.add(m.node() + " counted " + failures + " authentication failure"
                                + (failures == 1 ? "" : "s") + " during the window");
                    }
                    for (DiagnoseReport.Sender s : heard.getOrDefault(m.node(), List.of())) {
                        String sender = ownerOfAddress.get(s.source());
                        if (sender != null && !authKey(s.authType(), s.authFingerprint()).equals(authKey(i))) {
                            evidence.add(m.node() + " hears " + sender + "'s adverts with "
                                    + describeAuth(s.authType(), s.authFingerprint()) + ", its own is " + describeAuth(i));
                        }
                    }
                }
            }
            if (byAuth.size() < 2) {
                return List.of();
            }
            List<String> odd = minority(byAuth);
            byAuth.forEach((key, nodes) -> evidence.add(0, String.join(", ", nodes) + ": " + describeKey(key)));
            String sentence = odd.size() == 1
                    ? odd.get(0) + " authenticates its adverts differently from the other members (its auth_type or auth_pass differs)."
                    : "The members authenticate their adverts differently: " + byAuth.values().stream()
                    .map(n -> String.join(", ", n)).collect(Collectors.joining(" / ")) + ".";
            return List.of(new Finding(Cause.AUTH_MISMATCH, odd.size() == 1 ? Optional.of(odd.get(0)) : Optional.empty(),
                    sentence, evidence));
        }

        List<Finding> strangers() {
            Map<String, List<DiagnoseReport.Sender>> bySource = new TreeMap<>();
            Map<String, List<String>> heardBy = new TreeMap<>();
            heard.forEach((node, list) -> list.stream().filter(s -> ownerOfAddress.get(s.source()) == null).forEach(s -> {
                bySource.computeIfAbsent(s.source(), k -> new ArrayList<>()).add(s);
                heardBy.computeIfAbsent(s.source(), k -> new ArrayList<>()).add(node);
            }));
            List<Finding> out = new ArrayList<>();
            bySource.forEach((source, adverts) -> {
                DiagnoseReport.Sender s = adverts.get(0);
                List<String> evidence = new ArrayList<>();
                for (int k = 0; k < adverts.size(); k++) {
                    DiagnoseReport.Sender a = adverts.get(k);
                    evidence.add(heardBy.get(source).get(k) + " heard " + a.packets() + " advert" + (a.packets() == 1 ? "" : "s")
                            + " from " + source + " on " + a.interfaceName() + ": VRRPv" + a.version() + ", priority "
                            + a.priority() + ", " + describeAuth(a.authType(), a.authFingerprint()) + ", "
                            + a.addressCount() + " address" + (a.addressCount() == 1 ? "" : "es") + " " + a.addresses());
                }
                instances.forEach((node, i) -> evidence.add(strangerEffect(node, i, s)));
                out.add(new Finding(Cause.STRANGER, Optional.of(source), source + " advertises VRID " + vrid
                        + " on the members' network but is not a member of this router.", evidence));
            });
            return out;
        }

        /** What a stranger's adverts do to one member, as its keepalived would judge them. */
        private static String strangerEffect(String node, DiagnoseReport.Instance i, DiagnoseReport.Sender s) {
            List<String> vips = i.vips().stream().map(v -> v.contains("/") ? v.substring(0, v.indexOf('/')) : v).sorted().toList();
            List<String> carried = s.addresses().stream().sorted().toList();
            if (!authKey(s.authType(), s.authFingerprint()).equals(authKey(i))) {
                return node + " rejects them: they are not authenticated as its own ("
                        + describeAuth(s.authType(), s.authFingerprint()) + ", its own " + describeAuth(i) + ")"
                        + counted(i, AUTH_COUNTERS);
            }
            if (s.addressCount() == carried.size() && !carried.equals(vips)) {
                return node + " rejects them: they carry " + carried + ", not its VIPs " + vips
                        + counted(i, List.of("addr_list_err"));
            }
            if (s.priority() > i.effectivePriority()) {
                return MASTER.equals(i.state())
                        ? node + " is MASTER although they carry a higher priority (" + s.priority() + " > " + i.effectivePriority() + ")"
                        : node + " accepts them and defers to priority " + s.priority() + " (its own is " + i.effectivePriority()
                        + ", it is " + i.state() + ")";
            }
            return node + " outranks them (priority " + i.effectivePriority() + " > " + s.priority() + ", it is " + i.state() + ")";
        }

        private static String counted(DiagnoseReport.Instance i, List<String> counters) {
            long moved = counters.stream().mapToLong(i::moved).sum();
            return moved == 0 ? "" : "; it counted " + moved + " " + String.join("/", counters.subList(0, 1)) + " during the window";
        }

        List<Finding> configMismatch() {
            List<Finding> out = new ArrayList<>();
            compare("advert_int", i -> formatSeconds(i.advertInt()), "advert_interval_err", out);
            compare("virtual_ipaddress", i -> i.vips().stream().sorted().toList().toString(), "addr_list_err", out);
            compare("VRRP version", i -> "v" + i.version(), null, out);
            return out;
        }

        private void compare(String what, Function<DiagnoseReport.Instance, String> value, String counter, List<Finding> out) {
            Map<String, List<String>> groups = new TreeMap<>();
            instances.forEach((node, i) -> groups.computeIfAbsent(value.apply(i), k -> new ArrayList<>()).add(node));
            if (groups.size() < 2) {
                return;
            }
            List<String> evidence = new ArrayList<>();
            groups.forEach((v, nodes) -> evidence.add(String.join(", ", nodes) + ": " + what + " " + v));
            if (counter != null) {
                instances.forEach((node, i) -> {
                    if (i.moved(counter) > 0) {
                        evidence.add(node + " counted " + i.moved(counter) + " " + counter + " during the window");
                    }
                });
            }
            List<String> odd = minority(groups);
            out.add(new Finding(Cause.CONFIG_MISMATCH, odd.size() == 1 ? Optional.of(odd.get(0)) : Optional.empty(),
                    (odd.size() == 1 ? odd.get(0) + "'s " + what + " differs from the other members'"
                            : "The members' " + what + " differ") + ".", evidence));
        }

        List<Finding> partitionsAndLoss() {
            List<String> listeners = answered.stream().map(MemberEvidence::node).filter(this::listened).toList();
            if (listeners.size() < 2 || senders.isEmpty()) {
                return List.of();
            }
            List<Finding> out = new ArrayList<>();
            Set<String> explained = new LinkedHashSet<>();
            // a member cut off: it hears no member that others hear, and no one hears it, while the rest hear each other
            for (String x : listeners) {
                List<String> others = listeners.stream().filter(o -> !o.equals(x)).toList();
                boolean hearsNoOne = senders.stream().filter(s -> !s.equals(x)).noneMatch(s -> hears(x, s));
                boolean heardByNoOne = !senders.contains(x) || others.stream().noneMatch(o -> hears(o, x));
                boolean othersHear = others.stream().anyMatch(o -> senders.stream().anyMatch(s -> !s.equals(o) && !s.equals(x) && hears(o, s)));
                boolean missesSomething = senders.stream().anyMatch(s -> !s.equals(x));
                if (hearsNoOne && heardByNoOne && senders.contains(x) && missesSomething && (others.size() < 2 || othersHear)) {
                    List<String> evidence = new ArrayList<>();
                    addHearingEvidence(x, evidence);
                    others.forEach(o -> addHearingEvidence(o, evidence));
                    if (others.size() < 2) {
                        continue;       // two members deaf to each other: said below, without blaming either
                    }
                    out.add(new Finding(Cause.PARTITION, Optional.of(x), x + " is cut off from the other members: it hears"
                            + " none of them and none of them hears it, while they hear each other.", evidence));
                    explained.add(x);
                }
            }
            List<String> deafPairs = new ArrayList<>();
            for (String a : listeners) {
                for (String b : listeners) {
                    if (a.compareTo(b) < 0 && senders.contains(a) && senders.contains(b) && !hears(a, b) && !hears(b, a)
                            && !explained.contains(a) && !explained.contains(b)) {
                        deafPairs.add(a + " and " + b);
                    }
                }
            }
            if (!deafPairs.isEmpty()) {
                List<String> evidence = new ArrayList<>();
                listeners.forEach(l -> addHearingEvidence(l, evidence));
                boolean everyone = listeners.stream().allMatch(l -> senders.stream().filter(s -> !s.equals(l)).noneMatch(s -> hears(l, s)));
                out.add(new Finding(Cause.PARTITION, Optional.empty(), everyone
                        ? "No member hears any other: the members' VRRP network is partitioned (" + String.join("; ", deafPairs) + ")."
                        : String.join("; ", deafPairs) + " do not hear each other's adverts: the network between them is partitioned.",
                        evidence));
                return out;
            }
            // one way: a listener deaf to a sender that another member hears, or a sender no one hears while it hears others
            for (String l : listeners) {
                if (explained.contains(l)) {
                    continue;
                }
                List<String> missed = senders.stream().filter(s -> !s.equals(l) && !explained.contains(s) && !hears(l, s)).toList();
                if (missed.isEmpty()) {
                    continue;
                }
                // a sender some third member could hear and does not is lost on its way out (the loop below), not in
                List<String> heardElsewhere = missed.stream().filter(s -> listeners.stream()
                        .anyMatch(o -> !o.equals(l) && !o.equals(s) && hears(o, s))
                        || (senders.contains(l) && hears(s, l) && listeners.stream().allMatch(o -> o.equals(l) || o.equals(s))))
                        .toList();
                if (heardElsewhere.isEmpty()) {
                    continue;
                }
                List<String> evidence = new ArrayList<>();
                addHearingEvidence(l, evidence);
                heardElsewhere.forEach(s -> listeners.stream().filter(o -> !o.equals(l)).forEach(o -> {
                    if (hears(o, s) || o.equals(s)) {
                        addHearingEvidence(o, evidence);
                    }
                }));
                List<String> hearers = listeners.stream().filter(o -> !o.equals(l)
                        && heardElsewhere.stream().anyMatch(s -> !s.equals(o) && hears(o, s))).toList();
                String sentence = hearers.isEmpty()
                        // a pair: l does not hear s, s hears l; either end's firewall could be why
                        ? l + " does not hear " + String.join(", ", heardElsewhere) + "'s adverts, though "
                        + String.join(", ", heardElsewhere) + " hears " + l + "'s: VRRP is lost between them, on its way into "
                        + l + " or out of " + String.join(", ", heardElsewhere) + "."
                        : l + " does not hear " + String.join(", ", heardElsewhere) + "'s adverts, though "
                        + String.join(" and ", hearers) + (hearers.size() == 1 ? " hears" : " hear")
                        + " them: VRRP is lost on its way into " + l + ".";
                out.add(new Finding(Cause.ONE_WAY_LOSS, Optional.of(l), sentence, dedupe(evidence)));
                explained.add(l);
            }
            for (String s : senders) {
                if (explained.contains(s) || !listeners.contains(s)) {
                    continue;
                }
                List<String> others = listeners.stream().filter(o -> !o.equals(s)).toList();
                boolean heardByNone = others.stream().noneMatch(o -> hears(o, s));
                boolean hearsOthers = senders.stream().anyMatch(o -> !o.equals(s) && hears(s, o));
                if (heardByNone && !others.isEmpty() && (hearsOthers || !senders.stream().allMatch(x -> x.equals(s)))) {
                    List<String> evidence = new ArrayList<>();
                    listeners.forEach(l -> addHearingEvidence(l, evidence));
                    out.add(new Finding(Cause.ONE_WAY_LOSS, Optional.of(s), "No other member hears " + s + "'s adverts"
                            + (hearsOthers ? ", though it hears theirs" : "") + ": VRRP is lost on its way out of " + s + ".",
                            evidence));
                }
            }
            return out;
        }

        List<Finding> daemonsDown() {
            List<Finding> out = new ArrayList<>();
            for (MemberEvidence m : answered) {
                DiagnoseReport r = m.report().get();
                if (!r.alive() || !r.responsive()) {
                    out.add(new Finding(Cause.DAEMON_DOWN, Optional.of(m.node()), "keepalived on " + m.node()
                            + (r.alive() ? " does not answer (hung?)." : " is not running."),
                            List.of(m.node() + ": " + r.dumpProblem().orElse(r.alive() ? "no dump" : "not running"))));
                }
            }
            return out;
        }

        List<Finding> unreached() {
            return members.stream().filter(m -> m.report().isEmpty())
                    .map(m -> new Finding(Cause.UNREACHED, Optional.of(m.node()), m.node() + " could not be asked: "
                            + m.failure().orElse("no answer") + ".", List.of()))
                    .toList();
        }

        Finding nothingFound() {
            List<String> evidence = new ArrayList<>();
            answered.forEach(m -> addHearingEvidence(m.node(), evidence));
            return new Finding(Cause.NONE_FOUND, Optional.empty(), "The members hear each other, agree on their settings"
                    + " and authentication, and nothing else uses VRID " + vrid + " on their network.", dedupe(evidence));
        }

        void addHearingEvidence(String listener, List<String> evidence) {
            if (!listened(listener)) {
                return;
            }
            List<DiagnoseReport.Sender> list = heard.getOrDefault(listener, List.of());
            String line;
            if (list.isEmpty()) {
                line = listener + " heard no adverts for VRID " + vrid;
            } else {
                line = listener + " heard " + list.stream().map(s -> Optional.ofNullable(ownerOfAddress.get(s.source()))
                                .map(n -> n + " (" + s.source() + ")").orElse("stranger " + s.source())
                                + " priority " + s.priority() + ", " + s.packets() + " advert" + (s.packets() == 1 ? "" : "s"))
                        .collect(Collectors.joining("; "));
            }
            DiagnoseReport.Instance i = instances.get(listener);
            if (i != null) {
                line += " (it is " + i.state() + ")";
            }
            if (!evidence.contains(line)) {
                evidence.add(line);
            }
        }
    }

    private static List<String> dedupe(List<String> lines) {
        return new ArrayList<>(new LinkedHashSet<>(lines));
    }

    /** The members outside the largest group; every member when the largest is shared. */
    private static List<String> minority(Map<String, List<String>> groups) {
        int largest = groups.values().stream().mapToInt(List::size).max().orElse(0);
        long tied = groups.values().stream().filter(g -> g.size() == largest).count();
        if (tied > 1) {
            return groups.values().stream().flatMap(List::stream).toList();
        }
        return groups.values().stream().filter(g -> g.size() != largest).flatMap(List::stream).toList();
    }

    private static String authKey(DiagnoseReport.Instance i) {
        return authKey(i.authType(), i.authFingerprint());
    }

    private static String authKey(String type, Optional<String> fingerprint) {
        return type.toUpperCase(Locale.ROOT) + "|" + fingerprint.orElse("");
    }

    private static String describeKey(String key) {
        int bar = key.indexOf('|');
        String fingerprint = key.substring(bar + 1);
        return describeAuth(key.substring(0, bar), fingerprint.isEmpty() ? Optional.empty() : Optional.of(fingerprint));
    }

    private static String describeAuth(DiagnoseReport.Instance i) {
        return describeAuth(i.authType(), i.authFingerprint());
    }

    private static String describeAuth(String type, Optional<String> fingerprint) {
        if ("none".equalsIgnoreCase(type)) {
            return "no authentication";
        }
        return "auth " + type + fingerprint.map(f -> " (password fingerprint " + f + ")").orElse("");
    }

    private static String formatSeconds(double seconds) {
        return seconds == Math.rint(seconds) ? (long) seconds + " s" : seconds + " s";
    }
}
