package org.keepwatch.maintenance;

import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.DaemonStatus;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.MaintenanceWeight;
import org.keepwatch.fleet.MaintenanceWeight.Method;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.fleet.VrrpState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Works out a planned failover from the fleet as watched: which maintenance weights to write and what the election
 * will then do, router by router, or why it must not be done. keepalived's rules as the plan uses them: a drained
 * instance's priority is 1 (the agent takes 253 off, keepalived clamps to [1, 254]); a backup takes over from a live
 * master only when its priority is higher and it is not {@code nopreempt}; the highest such backup wins (a tie is
 * decided by the higher primary address, which the plan names as a tie). A weight is one per keepalived daemon, so
 * moving one router's master moves every master of that daemon: the plan lists them all. Without the weight's wiring
 * a node can be drained the fallback way, {@link Method#STOP}: its keepalived stopped (it sends priority 0 as it goes,
 * so the best backup takes over at once; no address answers for about the backup's skew time) and started again to
 * undrain; the plan then counts its members out of every election until then.
 */
public final class MaintenancePlanner {

    /** What keepalived makes of a drained instance's priority. */
    public static final int DRAINED_PRIORITY = 1;
    static final int OWNER_PRIORITY = 255;
    static final String FALLBACK = "without the maintenance weight, a node can be drained by stopping its keepalived "
            + "(\"drain by stopping keepalived\", keepwatch drain --fallback stop: it sends priority 0 as it stops, a backup "
            + "takes over at once, but the VIP answers nobody for about half a second; undrain starts it again, as would a "
            + "reboot of the node or a start by hand), or its "
            + "masters moved by pushing its priorities down in the editor (a reload); set up the maintenance weight "
            + "(\"Set up maintenance weight…\", a normal push that adds a track_file to the configuration) to drain without "
            + "a reload and without losing a packet";

    private MaintenancePlanner() {
    }

    /** Every master of {@code node} to the best other live member; its routers keep it as a backup of last resort. */
    public static MaintenancePlan drain(FleetState fleet, String node) {
        return drain(fleet, node, Method.WEIGHT);
    }

    /** A drain by the weight, or the fallback: the node's keepalived stopped (its routers lose it as a backup). */
    public static MaintenancePlan drain(FleetState fleet, String node, Method method) {
        return simulate(fleet, MaintenancePlan.Kind.DRAIN, node, Set.of(node), Set.of(), Optional.empty(), method);
    }

    /**
     * Gives a drained node its priorities back: it takes back the masters it outranks (unless nopreempt). A daemon
     * drained by stopping is started again; one drained by its weight gets 0 written.
     */
    public static MaintenancePlan undrain(FleetState fleet, String node) {
        return simulate(fleet, MaintenancePlan.Kind.UNDRAIN, node, Set.of(), Set.of(node), Optional.empty(), Method.WEIGHT);
    }

    /** Moves the router's master away from the node that holds it: that node is drained. */
    public static MaintenancePlan moveAway(FleetState fleet, RouterKey key) {
        return moveAway(fleet, key, Method.WEIGHT);
    }

    /** Moves the router's master away by the weight or by stopping the master's keepalived. */
    public static MaintenancePlan moveAway(FleetState fleet, RouterKey key, Method method) {
        Optional<RouterStatus> router = fleet.router(key);
        String subject = router.map(r -> r.name() + " (" + key.label() + ")").orElse(key.label());
        if (router.isEmpty() || router.get().masters().size() != 1) {
            String why = router.isEmpty() ? "no router " + key.label() + " in the fleet"
                    : router.get().masters().isEmpty() ? subject + " has no master to move" : subject + " is split: masters on "
                    + String.join(", ", router.get().masters());
            return new MaintenancePlan(MaintenancePlan.Kind.MOVE_AWAY, subject, List.of(), List.of(), List.of(why),
                    List.of(), Optional.empty());
        }
        String master = router.get().masters().get(0);
        return simulate(fleet, MaintenancePlan.Kind.MOVE_AWAY, subject, Set.of(master), Set.of(), Optional.empty(), method);
    }

    /**
     * Makes {@code target} the router's master: every other member that would still win against it is drained
     * (target itself is undrained if it is drained). Refused unless the election then picks target.
     */
    public static MaintenancePlan failover(FleetState fleet, RouterKey key, String target) {
        return failover(fleet, key, target, Method.WEIGHT);
    }

    /** {@link #failover(FleetState, RouterKey, String)}, the members in the way drained by {@code method}. */
    public static MaintenancePlan failover(FleetState fleet, RouterKey key, String target, Method method) {
        Optional<RouterStatus> router = fleet.router(key);
        String subject = router.map(r -> r.name() + " (" + key.label() + ")").orElse(key.label()) + " to " + target;
        Optional<RouterMember> here = router.flatMap(r -> r.member(target));
        if (router.isEmpty() || here.isEmpty()) {
            String why = router.isEmpty() ? "no router " + key.label() + " in the fleet"
                    : target + " is not a member of " + router.get().name() + " (members: "
                    + router.get().members().stream().map(RouterMember::node).collect(Collectors.joining(", ")) + ")";
            return new MaintenancePlan(MaintenancePlan.Kind.FAILOVER, subject, List.of(), List.of(), List.of(why),
                    List.of(), Optional.empty());
        }
        boolean targetDrained = drained(here.get());
        int targetPriority = targetDrained ? here.get().lastKnown().basePriority() : here.get().lastKnown().effectivePriority();
        Set<String> drain = new LinkedHashSet<>();
        for (RouterMember other : router.get().members()) {
            if (!other.node().equals(target) && !drained(other) && other.lastKnown().effectivePriority() >= targetPriority) {
                drain.add(other.node());
            }
        }
        return simulate(fleet, MaintenancePlan.Kind.FAILOVER, subject, drain, targetDrained ? Set.of(target) : Set.of(),
                Optional.of(new Expected(key, target)), method);
    }

    private record Expected(RouterKey router, String master) {
    }

    private static MaintenancePlan simulate(FleetState fleet, MaintenancePlan.Kind kind, String subject, Set<String> drain,
                                            Set<String> undrain, Optional<Expected> expected, Method method) {
        List<String> refusals = new ArrayList<>();
        List<String> confirmations = new ArrayList<>();
        List<MaintenancePlan.WeightChange> changes = new ArrayList<>();
        boolean fallback = false;
        Map<String, NodeStatus> nodes = fleet.nodes().stream().collect(Collectors.toMap(NodeStatus::node, Function.identity()));
        List<RouterStatus> routers = fleet.routers();
        Set<String> acting = new LinkedHashSet<>(drain);
        acting.addAll(undrain);
        Set<String> stopping = new LinkedHashSet<>();     // nodes whose keepalived the plan stops (the fallback)
        Set<String> starting = new LinkedHashSet<>();     // nodes drained by stopping, started again
        if (acting.isEmpty() && expected.isPresent()) {
            refusals.add(expected.get().master() + " is already the member the election picks; nothing to do");
        }
        for (String node : acting) {
            NodeStatus status = nodes.get(node);
            if (status == null) {
                refusals.add("no node " + node + " in the fleet");
                continue;
            }
            if (status.connection() != ConnectionState.ONLINE) {
                refusals.add(node + " is " + status.connection() + ": its agent must be online to set its weight");
                continue;
            }
            if (status.readOnly().isPresent()) {
                // a login without sudo: its agent cannot write the weight nor stop keepalived; said before anything
                refusals.add(status.readOnly().get());
                continue;
            }
            boolean toDrain = drain.contains(node);
            Set<String> daemons = routers.stream().flatMap(r -> r.members().stream())
                    .filter(m -> m.node().equals(node)).map(m -> m.lastKnown().daemon())
                    .collect(Collectors.toCollection(LinkedHashSet::new));
            if (daemons.isEmpty()) {
                refusals.add(node + " is a member of no router");
            }
            for (DaemonObservation daemon : fleet.daemons(node)) {
                if (!daemons.contains(daemon.name())) {
                    continue;
                }
                Optional<MaintenanceWeight> weight = daemon.maintenance();
                String who = node + (daemon.name().equals("keepalived") ? "" : " " + daemon.label());
                if (weight.isEmpty()) {
                    refusals.add(who + ": its agent says nothing of a maintenance weight (an older agent)");
                    continue;
                }
                if (weight.get().refusal().isPresent()) {
                    refusals.add(who + ": " + weight.get().refusal().get());
                    continue;
                }
                if (!toDrain && weight.get().drainedByStopping()) {
                    changes.add(new MaintenancePlan.WeightChange(node, daemon.name(), false, Method.STOP));
                    starting.add(node);
                    continue;
                }
                if (toDrain && method == Method.STOP) {
                    if (weight.get().drained()) {
                        refusals.add(who + " is drained already (" + weight.get().describeDrain() + ")");
                    } else if (daemon.status() != DaemonStatus.RUNNING) {
                        refusals.add(who + ": its keepalived is " + daemon.status().name().toLowerCase(java.util.Locale.ROOT)
                                + ", not running: there is nothing to stop");
                    } else {
                        changes.add(new MaintenancePlan.WeightChange(node, daemon.name(), true, Method.STOP));
                        stopping.add(node);
                    }
                    continue;
                }
                if (toDrain && !weight.get().wiredFully()) {
                    refusals.add(who + ": " + weight.get().whyNotDrainable().orElse("not wired"));
                    fallback = true;
                    continue;
                }
                if (weight.get().drained() != toDrain) {
                    changes.add(new MaintenancePlan.WeightChange(node, daemon.name(), toDrain, Method.WEIGHT));
                }
            }
        }
        if (refusals.isEmpty() && changes.isEmpty() && !acting.isEmpty()) {
            refusals.add("nothing to do: " + String.join(", ", acting) + (drain.isEmpty() ? " is not drained" : " is drained already"));
        }
        // What the election would do is said either way; why it cannot be done is said once: a weight that will not
        // be written (Neutron, no wiring, offline) makes the routers' own refusals noise.
        List<String> electionRefusals = new ArrayList<>();
        List<MaintenancePlan.RouterMove> moves = new ArrayList<>();
        for (RouterStatus router : routers) {
            if (router.members().stream().noneMatch(m -> acting.contains(m.node()))) {
                continue;
            }
            moves.add(route(router, new Changes(drain, undrain, stopping, starting), electionRefusals, confirmations));
        }
        if (refusals.isEmpty()) {
            refusals.addAll(electionRefusals);
        }
        expected.ifPresent(e -> moves.stream().filter(m -> m.key().equals(e.router())).findFirst().ifPresent(m -> {
            if (!m.masterAfter().equals(Optional.of(e.master())) && refusals.isEmpty()) {
                refusals.add(m.name() + ": the election would pick " + m.masterAfter().orElse("no master") + ", not "
                        + e.master() + " (" + m.words() + ")");
            }
        }));
        return new MaintenancePlan(kind, subject, changes, moves, dedupe(refusals), dedupe(confirmations),
                fallback ? Optional.of(FALLBACK) : Optional.empty());
    }

    /** Who the plan drains and undrains, and which of them by stopping and starting keepalived. */
    private record Changes(Set<String> drain, Set<String> undrain, Set<String> stopping, Set<String> starting) {
    }

    private static List<String> dedupe(List<String> lines) {
        return List.copyOf(new LinkedHashSet<>(lines));
    }

    /** One router after the weights: the master the election picks and the backups left, or why it is refused. */
    private static MaintenancePlan.RouterMove route(RouterStatus router, Changes changes, List<String> refusals,
                                                    List<String> confirmations) {
        String name = router.name();
        if (router.verdict() == Verdict.SPLIT_BRAIN || router.masters().size() > 1) {
            refusals.add(name + " is split (masters: " + String.join(", ", router.masters()) + "): heal it first");
        }
        Map<String, Integer> after = new TreeMap<>();
        List<RouterMember> live = new ArrayList<>();         // in the election after the plan
        List<String> stopped = new ArrayList<>();
        for (RouterMember m : router.members()) {
            if (changes.starting().contains(m.node()) && m.current()) {
                live.add(m);                                  // started again: back with its own priority
                after.put(m.node(), Math.min(m.lastKnown().basePriority(), OWNER_PRIORITY));
                continue;
            }
            if (!m.current() || m.state() == VrrpState.HUNG) {
                refusals.add(name + ": " + m.node() + " is STALE (" + (m.current() ? "its keepalived does not answer"
                        : "not online") + "): its state is not known now");
                continue;
            }
            if (!m.state().participating() || m.daemon().map(DaemonObservation::status).orElse(DaemonStatus.RUNNING) != DaemonStatus.RUNNING) {
                continue;
            }
            if (changes.stopping().contains(m.node())) {
                stopped.add(m.node());
                continue;
            }
            live.add(m);
            after.put(m.node(), priorityAfter(m, changes));
            if (changes.drain().contains(m.node()) && m.lastKnown().basePriority() >= OWNER_PRIORITY) {
                refusals.add(name + ": " + m.node() + " has priority 255, the address owner: keepalived keeps an owner "
                        + "master whatever its weight (drain it by stopping keepalived instead)");
            }
        }
        Optional<RouterMember> masterNow = router.members().stream().filter(m -> m.current() && m.state() == VrrpState.MASTER)
                .filter(m -> m.daemon().map(DaemonObservation::status).orElse(DaemonStatus.RUNNING) == DaemonStatus.RUNNING)
                .findFirst();
        Optional<RouterMember> master = masterNow.filter(live::contains);   // still there after the plan
        Optional<RouterMember> picked = master;
        List<RouterMember> wouldNot = new ArrayList<>();
        if (master.isPresent()) {
            int masterAfter = after.get(master.get().node());
            Optional<RouterMember> best = live.stream().filter(m -> m != master.get())
                    .filter(m -> after.get(m.node()) > masterAfter)
                    .filter(m -> {
                        if (m.lastKnown().nopreempt()) {
                            wouldNot.add(m);
                            return false;
                        }
                        return true;
                    })
                    .max(Comparator.comparingInt(m -> after.get(m.node())));
            if (best.isPresent()) {
                picked = best;
            }
        } else {
            // no master, or the master stops: every live member is backup, the highest priority wins (nopreempt or not)
            picked = live.stream().filter(m -> after.containsKey(m.node())).max(Comparator.comparingInt(m -> after.get(m.node())));
        }
        Optional<RouterMember> winner = picked;
        String from = masterNow.map(m -> m.node() + " (" + m.lastKnown().effectivePriority() + ")").orElse("no master");
        String to = winner.map(m -> m.node() + " (" + after.get(m.node()) + ")").orElse("no master");
        List<String> backups = live.stream().filter(m -> winner.map(w -> w != m).orElse(true))
                .sorted(Comparator.comparingInt((RouterMember m) -> after.get(m.node())).reversed())
                .map(m -> m.node() + " (" + (isDrainedAfter(m, changes) ? "drained, " : "") + after.get(m.node()) + ")")
                .toList();
        long healthy = live.stream().filter(m -> winner.map(w -> w != m).orElse(true))
                .filter(m -> !isDrainedAfter(m, changes)).count();
        StringBuilder words = new StringBuilder(name).append(" (").append(router.key().label()).append("): ");
        boolean moves = !masterNow.map(RouterMember::node).equals(winner.map(RouterMember::node));
        words.append(moves ? from + " → " + to : "stays on " + to);
        words.append(backups.isEmpty() ? "; no backup" : "; backup " + String.join(", ", backups));
        if (!stopped.isEmpty()) {
            words.append("; ").append(String.join(", ", stopped)).append(" stopped");
        }
        if (master.isPresent() && changes.drain().contains(master.get().node()) && !moves) {
            String why = wouldNot.isEmpty() ? "no other live member able to take over"
                    : "the members that outrank it are nopreempt (" + wouldNot.stream().map(RouterMember::node).collect(Collectors.joining(", "))
                    + "): a nopreempt backup never takes over from a live master, even one of priority 1";
            refusals.add(name + ": " + master.get().node() + " would stay master: " + why);
        }
        if (masterNow.isPresent() && winner.isEmpty() && !stopped.isEmpty()) {
            refusals.add(name + ": no other live member would take over: stopping " + String.join(", ", stopped)
                    + " leaves it with no master (keepwatch daemon stop does that, with its own confirmation)");
        }
        if (!changes.drain().isEmpty() && healthy == 0 && winner.isPresent()) {
            confirmations.add(name + " would be left without a healthy backup (only " + (backups.isEmpty() ? "its master"
                    : String.join(", ", backups)) + ")");
        }
        if (winner.isPresent() && after.values().stream().filter(p -> p.equals(after.get(winner.get().node()))).count() > 1 && moves) {
            words.append(" (a tie: keepalived picks the member with the higher primary address)");
        }
        return new MaintenancePlan.RouterMove(router.key(), name, masterNow.map(RouterMember::node), winner.map(RouterMember::node),
                backups, words.toString());
    }

    private static boolean drained(RouterMember member) {
        return member.daemon().map(DaemonObservation::drained).orElse(false);
    }

    private static boolean isDrainedAfter(RouterMember m, Changes changes) {
        return changes.drain().contains(m.node()) || (drained(m) && !changes.undrain().contains(m.node()));
    }

    private static int priorityAfter(RouterMember m, Changes changes) {
        if (changes.drain().contains(m.node())) {
            return DRAINED_PRIORITY;
        }
        if (changes.undrain().contains(m.node()) && drained(m)) {
            return Math.min(m.lastKnown().basePriority(), OWNER_PRIORITY - 1);
        }
        return m.lastKnown().effectivePriority();
    }
}
