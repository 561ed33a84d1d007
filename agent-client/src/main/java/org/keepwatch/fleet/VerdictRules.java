package org.keepwatch.fleet;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Judges one router from its members and the VIPs actually present on its nodes. Pure; no clock. */
public final class VerdictRules {

    /** The verdict (the worst finding) and every finding in words. */
    public record Assessment(Verdict verdict, List<String> reasons) {
    }

    /** Member states that take no part in the election: a router with one is at best DEGRADED. */
    private static final Set<VrrpState> DOWN = EnumSet.of(VrrpState.HUNG, VrrpState.DEAD, VrrpState.STOP, VrrpState.FAULT);

    private VerdictRules() {
    }

    public static Assessment assess(List<RouterMember> members, Map<String, List<String>> vipHolders) {
        return assess(members, vipHolders, List.of());
    }

    /**
     * @param neverRead nodes of the router's group that have never been read: they may run members (even the
     *                  master) that nobody has seen, so the router is STALE rather than without a master
     */
    public static Assessment assess(List<RouterMember> members, Map<String, List<String>> vipHolders,
                                    List<String> neverRead) {
        Set<Verdict> found = EnumSet.noneOf(Verdict.class);
        List<String> reasons = new ArrayList<>();
        List<RouterMember> current = members.stream().filter(RouterMember::current).toList();
        List<String> masters = current.stream().filter(m -> m.state() == VrrpState.MASTER).map(RouterMember::node).toList();

        if (masters.size() > 1) {
            found.add(Verdict.SPLIT_BRAIN);
            reasons.add(join(masters) + (masters.size() == 2 ? " are both MASTER" : " are all MASTER"));
        }
        vipHolders.forEach((vip, holders) -> {
            if (holders.size() > 1) {
                found.add(Verdict.SPLIT_BRAIN);
                reasons.add(vip + " is up on " + join(holders) + " at once");
            }
        });
        vipHolders.forEach((vip, holders) -> holders.forEach(node -> {
            Optional<RouterMember> member = members.stream().filter(m -> m.node().equals(node)).findFirst();
            if (member.isPresent() && !member.get().current()) {
                return; // stale: what it holds is not known
            }
            VrrpState state = member.map(RouterMember::state).orElse(VrrpState.STOP);
            if (state != VrrpState.MASTER) {
                found.add(Verdict.ORPHAN_VIP);
                reasons.add(vip + " is on " + node + ", whose keepalived is " + describe(state));
            }
        }));
        // A master we cannot see right now is not "no master": that is STALE, not an alarm.
        boolean staleMaster = members.stream().anyMatch(m -> !m.current() && m.lastKnown().state() == VrrpState.MASTER);
        if (!current.isEmpty() && masters.isEmpty() && !staleMaster && neverRead.isEmpty()) {
            found.add(Verdict.NO_MASTER);
            reasons.add("no member is MASTER (" + states(current) + ")");
        } else if (!current.isEmpty() && masters.isEmpty()) {
            // STALE, not an alarm; but say what it hides: the router has a master only if an unread node is it.
            List<String> unread = new ArrayList<>(members.stream().filter(m -> !m.current())
                    .map(RouterMember::node).toList());
            unread.addAll(neverRead);
            reasons.add("no member Keepwatch can read is MASTER (" + states(current) + "): the router has a master"
                    + " only if " + join(unread) + (unread.size() == 1 ? " is it" : " has it"));
        }
        members.stream().filter(m -> !m.current()).forEach(m -> {
            found.add(Verdict.STALE);
            reasons.add(m.node() + ": no current state (last seen " + m.lastSeen() + ")");
        });
        if (!neverRead.isEmpty()) {
            found.add(Verdict.STALE);
            reasons.add(join(neverRead) + (neverRead.size() == 1 ? " has" : " have") + " not been read yet"
                    + " (a node not read may run a member of this router, even its master)");
        }
        List<String> drift = drift(current);
        if (!drift.isEmpty()) {
            found.add(Verdict.DRIFT);
            reasons.addAll(drift);
        }
        long participating = current.stream().filter(m -> m.state().participating()).count();
        if (masters.size() == 1 && participating == 1) {
            found.add(Verdict.NO_REDUNDANCY);
            List<String> down = members.stream().filter(m -> !m.node().equals(masters.get(0)))
                    .map(m -> m.node() + " " + m.state()).toList();
            reasons.add("only " + masters.get(0) + " is up" + (down.isEmpty() ? " (no other member)" : " (" + String.join(", ", down) + ")"));
        }
        // A member that cannot take over is never healthy, even with a master and a backup left.
        List<RouterMember> down = current.stream().filter(m -> DOWN.contains(m.state())).toList();
        if (!down.isEmpty()) {
            found.add(Verdict.DEGRADED);
            down.forEach(m -> reasons.add(m.node() + " is " + m.state() + ": "
                    + m.problem().orElse("keepalived is " + describe(m.state()))));
        }
        Verdict verdict = found.stream().min(Enum::compareTo).orElse(Verdict.HEALTHY);
        return new Assessment(verdict, reasons);
    }

    /** Settings that must agree between members, or VRRP misbehaves (keepalived issue #1603 and friends). */
    static List<String> drift(List<RouterMember> current) {
        if (current.size() < 2) {
            return List.of();
        }
        List<String> found = new ArrayList<>();
        compare(current, "VIPs", m -> new LinkedHashSet<>(m.lastKnown().vips()), found);
        compare(current, "advert_int", m -> m.lastKnown().advertInt(), found);
        compare(current, "authentication", m -> m.lastKnown().authType(), found);
        compare(current, "VRRP version", m -> m.lastKnown().version(), found);
        compare(current, "unicast/multicast", m -> m.lastKnown().unicastPeers().isEmpty() ? "multicast" : "unicast", found);
        return found;
    }

    private static void compare(List<RouterMember> members, String what, Function<RouterMember, Object> value,
                                List<String> found) {
        Map<Object, List<String>> byValue = members.stream().collect(Collectors.groupingBy(value,
                LinkedHashMap::new, Collectors.mapping(RouterMember::node, Collectors.toList())));
        if (byValue.size() > 1) {
            found.add(what + " differ: " + byValue.entrySet().stream()
                    .map(e -> join(e.getValue()) + " " + show(e.getKey())).collect(Collectors.joining("; ")));
        }
    }

    private static String show(Object value) {
        if (value instanceof Set<?> set) {
            return set.isEmpty() ? "none" : set.stream().map(Objects::toString).collect(Collectors.joining(", "));
        }
        return String.valueOf(value);
    }

    /** "n2 STOP, n3 BACKUP". */
    private static String states(List<RouterMember> members) {
        return members.stream().map(m -> m.node() + " " + m.state()).collect(Collectors.joining(", "));
    }

    private static String describe(VrrpState state) {
        return switch (state) {
            case STOP -> "not running";
            case HUNG -> "hung (does not answer)";
            case DEAD -> "dead (killed or crashed)";
            case UNKNOWN -> "in an unknown state";
            default -> state.name();
        };
    }

    private static String join(List<String> nodes) {
        if (nodes.size() <= 1) {
            return String.join("", nodes);
        }
        return String.join(", ", nodes.subList(0, nodes.size() - 1)) + " and " + nodes.get(nodes.size() - 1);
    }
}
