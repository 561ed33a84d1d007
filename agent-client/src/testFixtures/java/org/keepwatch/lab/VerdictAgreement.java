package org.keepwatch.lab;

import org.keepwatch.fleet.Verdict;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Whether what Keepwatch says of the lab's routers agrees with the lab's own truth ({@code lab/status}: keepalived's
 * dumps and the addresses on the interfaces) after a fault: the lab's SPLIT_BRAIN must be Keepwatch's; its NO_MASTER
 * one of NO_MASTER, ORPHAN_VIP; a router with one master and every VIP on one node must be neither of those, and not
 * HEALTHY when a faulted node is among its members or VIP holders, nor anything but HEALTHY when none is.
 * <p>
 * Keepwatch says only what it can see (docs/decisions/0004): where the lab's verdict rests on a node Keepwatch cannot
 * read (cut off, its sshd down), Keepwatch may instead say STALE, or what the nodes it reads prove (a VIP left on a
 * crashed node is ORPHAN_VIP even while the unread node has taken it over: SPLIT_BRAIN to the lab), never less.
 */
public final class VerdictAgreement {

    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(40);
    private static final int SAME_READINGS = 3;

    private VerdictAgreement() {
    }

    /** A fault the lab makes on node n1 (a member of every basic router, of no Neutron router), or on every node. */
    public enum LabFault {
        /** A clean shutdown: to the node exactly a keepalived never started (no process, no pid file, its config in place). */
        STOP("stop", "n1"),
        CRASH("crash", "n1"),
        HANG("hang", "n1"),
        CUT(true, "cut", "n1"),
        PARTITION("partition"),
        SSHD_KILLED(true, "sshd", "n1");

        private final List<String> args;
        private final boolean hides;

        LabFault(String... args) {
            this(false, args);
        }

        LabFault(boolean hides, String... args) {
            this.hides = hides;
            this.args = List.of(args);
        }

        /** lab/fail's arguments. */
        public String[] args() {
            return args.toArray(String[]::new);
        }

        public boolean touches(String node) {
            return args.size() == 1 || args.contains(node);
        }

        /** Whether it leaves {@code node} unreadable to Keepwatch (no SSH to it). */
        public boolean hides(String node) {
            return hides && touches(node);
        }
    }

    /** Keepwatch's word on one router: its label ("VRID 51" or a Neutron router id), verdict and members. */
    public record Said(String router, Verdict verdict, List<String> members) {
    }

    /** What the lab says once three readings a second apart agree (a failover takes ~3 s, Neutron's ~7 s). */
    public static LabStatus settled(Lab lab) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
        LabStatus previous = lab.status();
        int same = 0;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            LabStatus now = lab.status();
            same = summary(now).equals(summary(previous)) ? same + 1 : 0;
            previous = now;
            if (same >= SAME_READINGS) {
                return now;
            }
        }
        return previous;
    }

    /** Every router on which Keepwatch and the lab disagree, in words; empty when they agree. */
    public static List<String> disagreements(LabFault fault, LabStatus truth, List<Said> said) {
        return disagreements(fault::touches, fault::hides, fault.toString(), truth, said);
    }

    /**
     * The same for any faults: {@code touched} says which nodes a fault hit (a router with such a member may be
     * anything but HEALTHY), {@code unread} which of them Keepwatch cannot read, {@code what} names the faults in the
     * messages.
     */
    public static List<String> disagreements(Predicate<String> touched, Predicate<String> unread, String what,
                                             LabStatus truth, List<Said> said) {
        List<String> found = new ArrayList<>();
        for (LabStatus.Router router : truth.routers()) {
            Optional<Said> ours = said.stream().filter(s -> s.router().equals(labelOf(router))).findFirst();
            if (ours.isEmpty()) {
                found.add(router.router() + ": not shown");
                continue;
            }
            Verdict verdict = ours.get().verdict();
            // A member as either side knows it: the lab leaves out a member it cannot dump (hung, dead), Keepwatch
            // one on a node it could not read (cut, sshd killed).
            boolean faulted = ours.get().members().stream().anyMatch(touched)
                    || router.members().stream().map(LabStatus.Member::node).anyMatch(touched)
                    || router.vipHolders().values().stream().flatMap(List::stream).anyMatch(touched);
            switch (router.verdict()) {
                case "SPLIT_BRAIN" -> expect(found, router, verdict, splitBrainRestsOnUnread(router, unread)
                        ? Set.of(Verdict.SPLIT_BRAIN, Verdict.ORPHAN_VIP, Verdict.NO_MASTER, Verdict.STALE)
                        : Set.of(Verdict.SPLIT_BRAIN));
                case "NO_MASTER" -> expect(found, router, verdict, noMasterRestsOnUnread(router, ours.get().members(), unread)
                        ? Set.of(Verdict.NO_MASTER, Verdict.ORPHAN_VIP, Verdict.STALE)
                        : Set.of(Verdict.NO_MASTER, Verdict.ORPHAN_VIP));
                default -> {
                    if (verdict == Verdict.SPLIT_BRAIN || verdict == Verdict.NO_MASTER) {
                        found.add(router.router() + ": lab " + router.verdict() + " " + router.vipHolders()
                                + ", Keepwatch " + verdict);
                    } else if (faulted && verdict == Verdict.HEALTHY) {
                        found.add(router.router() + ": HEALTHY although " + what + " hit one of its nodes");
                    } else if (!faulted && verdict != Verdict.HEALTHY) {
                        found.add(router.router() + ": " + verdict + " although " + what + " hit none of its nodes");
                    }
                }
            }
        }
        return found;
    }

    /**
     * Raised alarms (router label to the verdict alarmed, none when absent) against the lab: a split brain must be
     * raised as one, no master as NO_MASTER or ORPHAN_VIP, nothing of either kind where the lab has one master; where
     * the truth rests on a node Keepwatch cannot read, what the nodes it reads prove, or no alarm.
     */
    public static List<String> alarmDisagreements(Predicate<String> unread, LabStatus truth, Map<String, Verdict> raised) {
        List<String> found = new ArrayList<>();
        for (LabStatus.Router router : truth.routers()) {
            String label = labelOf(router);
            Verdict alarm = raised.get(label);
            boolean agrees = switch (router.verdict()) {
                case "SPLIT_BRAIN" -> alarm == Verdict.SPLIT_BRAIN || splitBrainRestsOnUnread(router, unread)
                        && (alarm == null || alarm.alarming());
                case "NO_MASTER" -> alarm == Verdict.NO_MASTER || alarm == Verdict.ORPHAN_VIP
                        || alarm == null && noMasterRestsOnUnread(router, List.of(), unread);
                default -> alarm != Verdict.SPLIT_BRAIN && alarm != Verdict.NO_MASTER;
            };
            if (!agrees) {
                found.add(label + ": lab " + router.verdict() + " " + router.masters() + ", alarm " + alarm);
            }
        }
        return found;
    }

    /** A split brain Keepwatch cannot see whole: one of its masters or VIP holders is a node it cannot read. */
    public static boolean splitBrainRestsOnUnread(LabStatus.Router router, Predicate<String> unread) {
        return router.masters().stream().anyMatch(unread)
                || router.vipHolders().values().stream().flatMap(List::stream).anyMatch(unread);
    }

    /**
     * No master, where a member Keepwatch cannot read might be, to all it knows, the master: a member as the lab
     * knows it, or as Keepwatch does ({@code saidMembers}).
     */
    public static boolean noMasterRestsOnUnread(LabStatus.Router router, List<String> saidMembers,
                                                Predicate<String> unread) {
        return saidMembers.stream().anyMatch(unread)
                || router.members().stream().map(LabStatus.Member::node).anyMatch(unread);
    }

    private static void expect(List<String> found, LabStatus.Router router, Verdict verdict, Set<Verdict> allowed) {
        if (!allowed.contains(verdict)) {
            found.add(router.router() + ": lab " + router.verdict() + " (masters " + router.masters() + ", VIPs "
                    + router.vipHolders() + "), Keepwatch " + verdict);
        }
    }

    /** lab/status names a router "vrid 51" or by its Neutron router id; Keepwatch "VRID 51" or the id. */
    public static String labelOf(LabStatus.Router router) {
        return router.router().startsWith("vrid ") ? "VRID " + router.router().substring(5) : router.router();
    }

    private static Map<String, String> summary(LabStatus status) {
        Map<String, String> summary = new LinkedHashMap<>();
        status.routers().forEach(r -> summary.put(r.router(), r.verdict() + " " + r.masters() + " " + r.vipHolders()));
        return summary;
    }
}
