package org.keepwatch.app.nodes;

import org.junit.jupiter.api.Test;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.DaemonStatus;
import org.keepwatch.fleet.MaintenanceWeight;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A node's daemons in its row: a keepalived stopped to drain the node is said as drained, not as a fault. */
class DaemonSummaryTest {

    private static DaemonObservation daemon(DaemonStatus status, boolean drained, Optional<MaintenanceWeight.Method> method) {
        MaintenanceWeight weight = new MaintenanceWeight(Optional.empty(), Optional.of("/var/lib/keepwatch/maintenance/keepalived.weight"),
                List.of(), Map.of("VI_1", "does not track it"), drained, drained ? Optional.of(Instant.EPOCH) : Optional.empty(),
                drained ? Optional.of("alice@desk-7") : Optional.empty(), Optional.empty(), Optional.empty(), method);
        return new DaemonObservation("n1", "keepalived", "", status, Optional.empty(), Optional.of(weight));
    }

    @Test
    void aKeepalivedStoppedToDrainIsDrainedAndNeedsNoAttention() {
        List<DaemonObservation> daemons = List.of(daemon(DaemonStatus.STOPPED, true, Optional.of(MaintenanceWeight.Method.STOP)));
        assertThat(DaemonSummary.of(daemons)).isEqualTo("drained (keepalived stopped)");
        assertThat(DaemonSummary.allRunning(daemons)).isTrue();
        assertThat(DaemonSummary.details(daemons)).contains("drained (keepalived stopped) since 1970-01-01T00:00:00Z by alice@desk-7");
    }

    @Test
    void aKeepalivedStoppedOtherwiseIsNotRunningAndNeedsAttention() {
        List<DaemonObservation> daemons = List.of(daemon(DaemonStatus.STOPPED, false, Optional.empty()));
        assertThat(DaemonSummary.of(daemons)).isEqualTo("not running");
        assertThat(DaemonSummary.allRunning(daemons)).isFalse();
    }

    @Test
    void aDrainByTheWeightKeepsRunning() {
        List<DaemonObservation> daemons = List.of(daemon(DaemonStatus.RUNNING, true, Optional.of(MaintenanceWeight.Method.WEIGHT)));
        assertThat(DaemonSummary.of(daemons)).isEqualTo("running · drained");
        assertThat(DaemonSummary.allRunning(daemons)).isTrue();
    }

    @Test
    void theKindSaysAContainerNeutronAndAVersionOtherThanTheHellos() {
        DaemonObservation plain = new DaemonObservation("n1", "keepalived", "", DaemonStatus.RUNNING, Optional.empty(),
                Optional.empty(), new org.keepwatch.fleet.DaemonKind(Optional.of("2.2.7"), true, Optional.empty()));
        assertThat(DaemonSummary.kind(List.of(plain), "2.2.7")).isEmpty();
        DaemonObservation contained = new DaemonObservation("n1", "keepalived", "", DaemonStatus.RUNNING, Optional.empty(),
                Optional.empty(), new org.keepwatch.fleet.DaemonKind(Optional.of("2.3.3"), false, Optional.empty()));
        assertThat(DaemonSummary.kind(List.of(contained), "2.2.7"))
                .isEqualTo("also runs keepalived 2.3.3 · in a container (own mount namespace)");
        List<DaemonObservation> neutron = List.of("r-1", "r-2").stream().map(n -> new DaemonObservation("net1", n, "qrouter-" + n,
                DaemonStatus.RUNNING, Optional.empty(), Optional.empty(),
                new org.keepwatch.fleet.DaemonKind(Optional.of("2.2.7"), true, Optional.of(n)))).toList();
        assertThat(DaemonSummary.kind(neutron, "2.2.7")).isEqualTo("Neutron-managed (2 routers)");
        assertThat(DaemonSummary.kind(List.of(plain.withKind(org.keepwatch.fleet.DaemonKind.UNKNOWN)), "2.2.7")).isEmpty();
    }

    @Test
    void aKeepalivedItsLoginCannotSeeIsNotVisibleNeitherDeadNorAnAlarm() {
        DaemonObservation unseen = new DaemonObservation("n3", "keepalived", "", DaemonStatus.of(false, false,
                Optional.of("not_visible")), Optional.empty());
        assertThat(unseen.status()).isEqualTo(DaemonStatus.NOT_VISIBLE);
        assertThat(DaemonSummary.of(List.of(unseen))).isEqualTo("not visible (not root)");
        assertThat(DaemonSummary.allRunning(List.of(unseen))).as("no alarm colour").isTrue();
        assertThat(unseen.status().describeFor("kwnosudo")).startsWith("not visible to kwnosudo");
        assertThat(DaemonStatus.of(false, false, Optional.of("died"))).isEqualTo(DaemonStatus.DEAD);
    }
}
