package org.keepwatch.maintenance;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.DaemonStatus;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.InstanceObservation;
import org.keepwatch.fleet.InstanceStats;
import org.keepwatch.fleet.MaintenanceWeight;
import org.keepwatch.fleet.NodeReport;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.VipObservation;
import org.keepwatch.fleet.VrrpState;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keepwatch.fleet.Observations.online;
import static org.keepwatch.fleet.Observations.stale;
import static org.keepwatch.fleet.Observations.vip;
import static org.keepwatch.fleet.VrrpState.BACKUP;
import static org.keepwatch.fleet.VrrpState.MASTER;

/** The plans on the basic lab's shape: n1..n3, VI_1..VI_3 with priorities rotating 150, 100, 50. */
class MaintenancePlannerTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final List<String> NODES = List.of("n1", "n2", "n3");
    private static final MaintenanceWeight WIRED = weight(List.of("VI_1", "VI_2", "VI_3"), Map.of(), false, Optional.empty());

    private FleetState fleet;
    private final Map<String, MaintenanceWeight> weights = new HashMap<>();
    private final Map<String, DaemonStatus> statuses = new HashMap<>();
    private final Map<String, Boolean> nopreempt = new HashMap<>();
    private int ownerPriority;

    @BeforeEach
    void setUp() {
        fleet = new FleetState(Clock.fixed(NOW, ZoneOffset.UTC), FleetSettings.DEFAULTS);
        for (String node : NODES) {
            fleet.addNode(node, "lab");
            fleet.nodeStatus(online(node));
            weights.put(node, WIRED);
            statuses.put(node, DaemonStatus.RUNNING);
        }
    }

    static MaintenanceWeight weight(List<String> wired, Map<String, String> unwired, boolean drained, Optional<String> refusal) {
        return new MaintenanceWeight(refusal, Optional.of("/var/lib/keepwatch/maintenance/keepalived.weight"), wired, unwired,
                drained, drained ? Optional.of(NOW) : Optional.empty(), drained ? Optional.of("alice") : Optional.empty(),
                Optional.empty(), Optional.empty(), drained ? Optional.of(MaintenanceWeight.Method.WEIGHT) : Optional.empty());
    }

    /** Reports every node: VI_r's master is n_r, unless a node is drained (priority 1) or its daemon is down. */
    private void report() {
        for (int n = 1; n <= NODES.size(); n++) {
            String node = "n" + n;
            boolean drained = weights.get(node).drained();
            List<InstanceObservation> instances = new ArrayList<>();
            List<VipObservation> vips = new ArrayList<>();
            for (int r = 1; r <= 3; r++) {
                int base = new int[] {150, 100, 50}[Math.floorMod(n - r, 3)];
                if (r == 1 && n == 1 && ownerPriority > 0) {
                    base = ownerPriority;
                }
                int effective = drained ? 1 : base;
                VrrpState state = master(r).equals(node) ? MASTER : BACKUP;
                String address = "10.77.0." + (100 + r);
                instances.add(new InstanceObservation(node, "keepalived", "", "VI_" + r, 50 + r, "eth0", state, base, effective,
                        List.of(address), List.of(), 1.0, 2, "PASS", nopreempt.getOrDefault(node, false), List.of(),
                        Optional.empty(), InstanceStats.NONE));
                if (state == MASTER) {
                    vips.add(vip(node, address));
                }
            }
            DaemonObservation daemon = new DaemonObservation(node, "keepalived", "", statuses.get(node), Optional.empty(),
                    Optional.of(weights.get(node)));
            fleet.applyReport(new NodeReport(node, NOW, List.of(daemon), instances, vips));
        }
        fleet.tick();
    }

    /** Who is master of VI_r: the highest live, undrained member. */
    private String master(int r) {
        String best = null;
        int bestPriority = -1;
        for (int n = 1; n <= 3; n++) {
            String node = "n" + n;
            int priority = weights.get(node).drained() ? 1 : new int[] {150, 100, 50}[Math.floorMod(n - r, 3)];
            if (statuses.get(node) == DaemonStatus.RUNNING && priority > bestPriority) {
                best = node;
                bestPriority = priority;
            }
        }
        return best;
    }

    private static RouterKey vrid(int vrid) {
        return new RouterKey(RouterKey.Kind.VRRP, "lab", String.valueOf(vrid));
    }

    @Test
    void drainMovesTheNodesMasterToTheBestOtherMemberAndKeepsItAsBackup() {
        report();
        MaintenancePlan plan = MaintenancePlanner.drain(fleet, "n1");
        assertThat(plan.refusals()).isEmpty();
        assertThat(plan.confirmations()).isEmpty();
        assertThat(plan.changes()).containsExactly(new MaintenancePlan.WeightChange("n1", "keepalived", true, MaintenanceWeight.Method.WEIGHT));
        MaintenancePlan.RouterMove vi1 = plan.routers().get(0);
        assertThat(vi1.masterBefore()).contains("n1");
        assertThat(vi1.masterAfter()).contains("n2");
        assertThat(vi1.backupsAfter()).containsExactly("n3 (50)", "n1 (drained, 1)");
        assertThat(vi1.words()).isEqualTo("VI_1 (VRID 51): n1 (150) → n2 (100); backup n3 (50), n1 (drained, 1)");
        assertThat(plan.routers()).extracting(MaintenancePlan.RouterMove::moves).containsExactly(true, false, false);
        assertThat(plan.routers().get(1).words()).startsWith("VI_2 (VRID 52): stays on n2 (150)");
    }

    @Test
    void drainIsRefusedWhenNoOtherLiveMemberCanTakeOver() {
        statuses.put("n2", DaemonStatus.STOPPED);
        statuses.put("n3", DaemonStatus.STOPPED);
        report();
        MaintenancePlan plan = MaintenancePlanner.drain(fleet, "n1");
        assertThat(plan.refused()).isTrue();
        assertThat(plan.refusals()).contains("VI_1: n1 would stay master: no other live member able to take over");
    }

    @Test
    void aReadOnlyNodeIsRefusedUpFrontInItsOwnWordsAndSoIsKeepalivedControlOnIt() {
        report();
        String why = "read-only: ops on n1 has no sudo (sudo is off for this node); nothing can be changed";
        fleet.nodeStatus(new org.keepwatch.fleet.NodeStatus("n1", org.keepwatch.fleet.ConnectionState.ONLINE, NOW.plusSeconds(1),
                Optional.of(why), Optional.of("2.2.7"), Optional.of("0.1.0"), Optional.empty(), Optional.of(why)));
        assertThat(fleet.readOnly("n1")).contains(why);
        assertThat(fleet.readOnly("n2")).isEmpty();
        for (MaintenancePlan plan : List.of(MaintenancePlanner.drain(fleet, "n1"), MaintenancePlanner.undrain(fleet, "n1"),
                MaintenancePlanner.drain(fleet, "n1", MaintenanceWeight.Method.STOP))) {
            assertThat(plan.refused()).isTrue();
            assertThat(plan.refusals()).containsExactly(why);
            assertThat(plan.changes()).isEmpty();
        }
        // its neighbour is not: n2 drains as ever
        assertThat(MaintenancePlanner.drain(fleet, "n2").refusals()).isEmpty();
        org.keepwatch.daemons.DaemonControl control = new org.keepwatch.daemons.DaemonControl(null, () -> fleet, Runnable::run);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> control.daemonOf("n1", Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(why);
        assertThat(control.daemonOf("n2", Optional.empty())).isEqualTo("keepalived");
    }

    @Test
    void nopreemptBackupsAreExplained() {
        nopreempt.put("n2", true);
        nopreempt.put("n3", true);
        report();
        MaintenancePlan plan = MaintenancePlanner.drain(fleet, "n1");
        assertThat(plan.refusals()).contains("VI_1: n1 would stay master: the members that outrank it are nopreempt (n2, n3): "
                + "a nopreempt backup never takes over from a live master, even one of priority 1");
    }

    @Test
    void aRouterLeftWithoutAHealthyBackupNeedsAConfirmation() {
        statuses.put("n3", DaemonStatus.STOPPED);
        report();
        MaintenancePlan plan = MaintenancePlanner.drain(fleet, "n1");
        assertThat(plan.refused()).isFalse();
        assertThat(plan.confirmations()).contains("VI_1 would be left without a healthy backup (only n1 (drained, 1))");
    }

    @Test
    void aNodeWithoutTheWiringIsRefusedWithTheFallback() {
        weights.put("n1", weight(List.of("VI_2"), Map.of("VI_1", "does not track /x", "VI_3", "does not track /x"), false, Optional.empty()));
        report();
        MaintenancePlan plan = MaintenancePlanner.drain(fleet, "n1");
        assertThat(plan.refusals()).containsExactly("n1: the maintenance weight is not set up: VI_1, VI_3 do not track /x");
        assertThat(plan.fallback()).hasValueSatisfying(f -> assertThat(f).contains("stopping its keepalived"));
    }

    @Test
    void aNeutronDaemonIsRefusedWithWhy() {
        weights.put("n1", weight(List.of(), Map.of(), false, Optional.of("its keepalived belongs to the Neutron l3 agent")));
        report();
        assertThat(MaintenancePlanner.drain(fleet, "n1").refusals())
                .containsExactly("n1: its keepalived belongs to the Neutron l3 agent");
    }

    @Test
    void aStaleMemberRefusesTheDrain() {
        report();
        fleet.nodeStatus(stale("n3"));
        MaintenancePlan plan = MaintenancePlanner.drain(fleet, "n1");
        assertThat(plan.refusals()).contains("VI_1: n3 is STALE (not online): its state is not known now");
    }

    @Test
    void theAddressOwnerIsRefused() {
        ownerPriority = 255;
        report();
        assertThat(MaintenancePlanner.drain(fleet, "n1").refusals())
                .contains("VI_1: n1 has priority 255, the address owner: keepalived keeps an owner master whatever its weight "
                        + "(drain it by stopping keepalived instead)");
    }

    @Test
    void undrainGivesTheMastersBack() {
        weights.put("n1", weight(List.of("VI_1", "VI_2", "VI_3"), Map.of(), true, Optional.empty()));
        report();
        MaintenancePlan plan = MaintenancePlanner.undrain(fleet, "n1");
        assertThat(plan.refusals()).isEmpty();
        assertThat(plan.changes()).containsExactly(new MaintenancePlan.WeightChange("n1", "keepalived", false, MaintenanceWeight.Method.WEIGHT));
        assertThat(plan.routers().get(0).words()).isEqualTo("VI_1 (VRID 51): n2 (100) → n1 (150); backup n2 (100), n3 (50)");
        assertThat(MaintenancePlanner.drain(fleet, "n1").refusals()).containsExactly("nothing to do: n1 is drained already");
    }

    @Test
    void failoverDrainsWhoeverOutranksTheTargetAndSaysWhatElseMoves() {
        report();
        MaintenancePlan plan = MaintenancePlanner.failover(fleet, vrid(52), "n3");
        assertThat(plan.refusals()).isEmpty();
        assertThat(plan.changes()).containsExactly(new MaintenancePlan.WeightChange("n2", "keepalived", true, MaintenanceWeight.Method.WEIGHT));
        MaintenancePlan.RouterMove vi2 = plan.routers().stream().filter(m -> m.name().equals("VI_2")).findFirst().orElseThrow();
        assertThat(vi2.masterAfter()).contains("n3");
        assertThat(plan.routers()).filteredOn(MaintenancePlan.RouterMove::moves).extracting(MaintenancePlan.RouterMove::name)
                .containsExactly("VI_2");
        assertThat(MaintenancePlanner.failover(fleet, vrid(52), "n9").refusals())
                .containsExactly("n9 is not a member of VI_2 (members: n1, n2, n3)");
    }

    @Test
    void moveAwayDrainsTheMaster() {
        report();
        MaintenancePlan plan = MaintenancePlanner.moveAway(fleet, vrid(53));
        assertThat(plan.changes()).containsExactly(new MaintenancePlan.WeightChange("n3", "keepalived", true, MaintenanceWeight.Method.WEIGHT));
        assertThat(plan.routers().stream().filter(m -> m.name().equals("VI_3")).findFirst().orElseThrow().masterAfter()).contains("n1");
    }

    // ---- the fallback: drain by stopping keepalived --------------------------------------------------

    private static final MaintenanceWeight UNWIRED = weight(List.of(), Map.of("VI_1", "does not track it",
            "VI_2", "does not track it", "VI_3", "does not track it"), false, Optional.empty());

    private static MaintenanceWeight stopped() {
        return new MaintenanceWeight(Optional.empty(), Optional.of("/var/lib/keepwatch/maintenance/keepalived.weight"),
                List.of(), Map.of("VI_1", "does not track it"), true, Optional.of(NOW), Optional.of("alice@desk-7"),
                Optional.of("kernel update"), Optional.empty(), Optional.of(MaintenanceWeight.Method.STOP));
    }

    @Test
    void anUnwiredNodeIsRefusedWithTheFallbackAndDrainedByStoppingWhenAskedFor() {
        NODES.forEach(n -> weights.put(n, UNWIRED));
        report();
        MaintenancePlan byWeight = MaintenancePlanner.drain(fleet, "n1");
        assertThat(byWeight.refused()).isTrue();
        assertThat(byWeight.fallback()).hasValueSatisfying(f -> assertThat(f).contains("--fallback stop"));

        MaintenancePlan plan = MaintenancePlanner.drain(fleet, "n1", MaintenanceWeight.Method.STOP);
        assertThat(plan.refusals()).isEmpty();
        assertThat(plan.confirmations()).isEmpty();
        assertThat(plan.changes()).containsExactly(new MaintenancePlan.WeightChange("n1", "keepalived", true, MaintenanceWeight.Method.STOP));
        assertThat(plan.changes().get(0).describe()).isEqualTo("drain n1 by stopping its keepalived");
        MaintenancePlan.RouterMove vi1 = plan.routers().get(0);
        assertThat(vi1.masterAfter()).contains("n2");
        assertThat(vi1.backupsAfter()).containsExactly("n3 (50)");
        assertThat(vi1.words()).isEqualTo("VI_1 (VRID 51): n1 (150) → n2 (100); backup n3 (50); n1 stopped");
        assertThat(plan.routers().get(1).words()).isEqualTo("VI_2 (VRID 52): stays on n2 (150); backup n3 (100); n1 stopped");
    }

    @Test
    void anAddressOwnerCannotBeDrainedByItsWeightButCanBeStopped() {
        ownerPriority = 255;
        report();
        assertThat(MaintenancePlanner.drain(fleet, "n1").refusals())
                .anySatisfy(r -> assertThat(r).contains("priority 255").contains("drain it by stopping keepalived instead"));
        MaintenancePlan plan = MaintenancePlanner.drain(fleet, "n1", MaintenanceWeight.Method.STOP);
        assertThat(plan.refusals()).isEmpty();
        assertThat(plan.routers().get(0).masterAfter()).contains("n2");
    }

    @Test
    void stoppingTheLastLiveMemberIsNotADrain() {
        NODES.forEach(n -> weights.put(n, UNWIRED));
        statuses.put("n2", DaemonStatus.STOPPED);
        statuses.put("n3", DaemonStatus.STOPPED);
        report();
        MaintenancePlan plan = MaintenancePlanner.drain(fleet, "n1", MaintenanceWeight.Method.STOP);
        assertThat(plan.refusals()).contains("VI_1: no other live member would take over: stopping n1 leaves it with no master "
                + "(keepwatch daemon stop does that, with its own confirmation)");
    }

    @Test
    void aRouterLeftWithOneMemberNeedsTheExplicitYes() {
        NODES.forEach(n -> weights.put(n, UNWIRED));
        statuses.put("n3", DaemonStatus.STOPPED);
        report();
        MaintenancePlan plan = MaintenancePlanner.drain(fleet, "n1", MaintenanceWeight.Method.STOP);
        assertThat(plan.refusals()).isEmpty();
        assertThat(plan.confirmations()).contains("VI_1 would be left without a healthy backup (only its master)");
    }

    @Test
    void undrainStartsANodeDrainedByStoppingAndItTakesItsMastersBack() {
        weights.put("n1", stopped());
        statuses.put("n1", DaemonStatus.STOPPED);
        weights.put("n2", UNWIRED);
        weights.put("n3", UNWIRED);
        report();
        MaintenancePlan plan = MaintenancePlanner.undrain(fleet, "n1");
        assertThat(plan.refusals()).isEmpty();
        assertThat(plan.changes()).containsExactly(new MaintenancePlan.WeightChange("n1", "keepalived", false, MaintenanceWeight.Method.STOP));
        assertThat(plan.changes().get(0).describe()).isEqualTo("undrain n1: start its keepalived again");
        assertThat(plan.routers().get(0).words()).isEqualTo("VI_1 (VRID 51): n2 (100) → n1 (150); backup n2 (100), n3 (50)");
        assertThat(MaintenancePlanner.drain(fleet, "n1", MaintenanceWeight.Method.STOP).refusals())
                .containsExactly("n1 is drained already (drained (keepalived stopped) since 2026-11-26T10:00:00Z by alice@desk-7 "
                        + "(kernel update))");
    }
}
