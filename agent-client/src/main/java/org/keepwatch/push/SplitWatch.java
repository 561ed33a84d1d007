package org.keepwatch.push;

import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.InstanceId;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.VrrpState;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Watches a router in the fleet state for the split that one member's change of a setting every member
 * must share makes: that member stops hearing the master, declares it down after three adverts plus a
 * skew, and becomes MASTER too. Made before the member's apply, it follows the member's instance by its
 * identity, so a member whose change moved it to another VRID (a router of its own) is still seen.
 */
final class SplitWatch {

    /** The member is MASTER and so are {@code otherMasters}, and has been for {@code lasted}. */
    record Split(String node, List<String> otherMasters, Duration lasted) {
    }

    /** keepalived declares the master down after 3 adverts and a skew under one advert. */
    private static final int MASTER_DOWN_ADVERTS = 4;
    /** The agent's dump and the event's way here, on top of keepalived's own timing. */
    private static final Duration OBSERVATION_MARGIN = Duration.ofSeconds(3);
    /** A handover shows two MASTERs until the new master's first advert demotes the old: shorter than this. */
    private static final int CONFIRM_ADVERTS = 2;
    private static final Duration CONFIRM_MARGIN = Duration.ofSeconds(1);
    private static final double DEFAULT_ADVERT_INT = 1.0;
    private static final long POLL_MILLIS = 100;

    private final FleetState state;
    private final RouterKey router;
    private final String node;
    private final Optional<InstanceId> instance;
    private final double advertInt;

    /**
     * @param candidateAdvertInt the member's advert_int in the text being applied, when known: the window
     *                           must cover the longer of the old and the new interval
     */
    SplitWatch(FleetState state, RouterKey router, String node, Optional<Double> candidateAdvertInt) {
        this.state = state;
        this.router = router;
        this.node = node;
        Optional<RouterStatus> view = state.router(router);
        this.instance = view.flatMap(v -> v.member(node)).map(m -> m.lastKnown().id());
        double observed = view.map(v -> v.members().stream().mapToDouble(m -> m.lastKnown().advertInt()).max().orElse(0))
                .orElse(0.0);
        double longest = Math.max(observed, candidateAdvertInt.orElse(0.0));
        this.advertInt = longest > 0 ? longest : DEFAULT_ADVERT_INT;
    }

    /** Long enough for keepalived to declare the master down and for us to see it: 4 adverts and a margin. */
    Duration window() {
        return seconds(MASTER_DOWN_ADVERTS * advertInt).plus(OBSERVATION_MARGIN);
    }

    /** How long two MASTERs must last to be a split rather than a handover. */
    Duration confirmation() {
        return seconds(CONFIRM_ADVERTS * advertInt).plus(CONFIRM_MARGIN);
    }

    /** The other MASTERs now, when the member is one of two or more MASTERs of the router. */
    List<String> otherMastersNow() {
        if (memberState() != VrrpState.MASTER) {
            return List.of();
        }
        return state.router(router).map(v -> v.members().stream().filter(m -> !m.node().equals(node))
                .filter(m -> m.state() == VrrpState.MASTER).map(RouterMember::node).toList()).orElse(List.of());
    }

    /**
     * Watches for {@link #window()}: a split that starts within it and lasts {@link #confirmation()} is
     * returned (the watch goes on past the window until it is confirmed or over).
     */
    Optional<Split> watch() throws InterruptedException {
        long end = System.nanoTime() + window().toNanos();
        long confirm = confirmation().toNanos();
        long since = -1;
        while (true) {
            long now = System.nanoTime();
            List<String> others = otherMastersNow();
            if (others.isEmpty()) {
                since = -1;
                if (now >= end) {
                    return Optional.empty();
                }
            } else {
                since = since < 0 ? now : since;
                if (now - since >= confirm) {
                    return Optional.of(new Split(node, others, Duration.ofNanos(now - since)));
                }
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Waits until the router has exactly one MASTER and the member is not a second one. */
    boolean awaitOneMaster(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (otherMastersNow().isEmpty() && masters().size() == 1) {
                return true;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return false;
    }

    List<String> masters() {
        return state.router(router).map(RouterStatus::masters).orElse(List.of());
    }

    /** Back in an election, wherever its instance is now. */
    boolean memberParticipating() {
        return memberState().participating();
    }

    /** The member's state wherever its instance is now (its router may have changed with its VRID); UNKNOWN when not current. */
    VrrpState memberState() {
        if (instance.isPresent()) {
            return state.instances().stream().filter(m -> m.lastKnown().id().equals(instance.get())).findFirst()
                    .map(RouterMember::state).orElse(VrrpState.UNKNOWN);
        }
        return state.router(router).flatMap(v -> v.member(node)).map(RouterMember::state).orElse(VrrpState.UNKNOWN);
    }

    private static Duration seconds(double seconds) {
        return Duration.ofMillis(Math.round(seconds * 1000));
    }
}
