package org.keepwatch.fleet;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keepwatch.fleet.Observations.daemon;
import static org.keepwatch.fleet.Observations.instance;
import static org.keepwatch.fleet.Observations.neutron;
import static org.keepwatch.fleet.Observations.online;
import static org.keepwatch.fleet.Observations.report;
import static org.keepwatch.fleet.Observations.stale;
import static org.keepwatch.fleet.Observations.vip;
import static org.keepwatch.fleet.VrrpState.BACKUP;
import static org.keepwatch.fleet.VrrpState.MASTER;

class FleetStateTest {

    private static final String VIP = "10.77.0.101";
    private static final RouterKey VI_1 = new RouterKey(RouterKey.Kind.VRRP, "lab", "51");

    private final MutableClock clock = new MutableClock();
    private FleetState fleet;

    @BeforeEach
    void threeHealthyNodes() {
        fleet = new FleetState(clock, FleetSettings.DEFAULTS);
        for (String node : List.of("n1", "n2", "n3")) {
            fleet.addNode(node, "lab");
            fleet.nodeStatus(online(node));
        }
        fleet.applyReport(report("n1", List.of(instance("n1", "VI_1", 51, MASTER, 150, VIP)), List.of(vip("n1", VIP))));
        fleet.applyReport(report("n2", List.of(instance("n2", "VI_1", 51, BACKUP, 100, VIP)), List.of()));
        fleet.applyReport(report("n3", List.of(instance("n3", "VI_1", 51, BACKUP, 50, VIP)), List.of()));
        fleet.drainEvents();
    }

    @Test
    void aChangedConfigurationIsToldOnForTheNodesOfTheFleetOnly() {
        clock.advance(java.time.Duration.ofSeconds(5));
        fleet.configChanged("n2", "keepalived");
        fleet.configChanged("stranger", "keepalived");
        assertThat(fleet.drainEvents().events()).containsExactly(new FleetEvent.ConfigChanged(clock.instant(), "n2", "keepalived"));
        assertThat(fleet.router(VI_1).orElseThrow().verdict()).as("nothing else changes").isEqualTo(Verdict.HEALTHY);
    }

    @Test
    void groupsInstancesOfOneVridIntoOneHealthyRouter() {
        RouterStatus router = fleet.router(VI_1).orElseThrow();
        assertThat(router.members()).extracting(RouterMember::node).containsExactly("n1", "n2", "n3");
        assertThat(router.masters()).containsExactly("n1");
        assertThat(router.vipHolders()).containsEntry(VIP, List.of("n1"));
        assertThat(router.verdict()).isEqualTo(Verdict.HEALTHY);
        assertThat(router.name()).isEqualTo("VI_1");
        assertThat(router.member("n1").orElseThrow().vipsHeld()).containsExactly(VIP);
    }

    @Test
    void aFailoverIsNotAnIncidentButTwoMastersThatLastAre() {
        // Preemption: n2 becomes MASTER a moment before n1 gives up. No alarm.
        fleet.applyInstance(instance("n2", "VI_1", 51, MASTER, 100, VIP), "vip added");
        clock.advance(Duration.ofMillis(200));
        fleet.applyInstance(instance("n1", "VI_1", 51, BACKUP, 150, VIP), "advert");
        fleet.tick();
        assertThat(fleet.router(VI_1).orElseThrow().verdict()).isEqualTo(Verdict.HEALTHY);
        assertThat(alarms(fleet.drainEvents())).isEmpty();

        // A partition: two MASTERs that stay.
        fleet.applyInstance(instance("n1", "VI_1", 51, MASTER, 150, VIP), "advert timeout");
        clock.advance(Duration.ofMillis(1000));
        fleet.tick();
        assertThat(fleet.router(VI_1).orElseThrow().verdict()).as("not yet confirmed").isEqualTo(Verdict.HEALTHY);
        clock.advance(Duration.ofMillis(600));
        fleet.tick();
        fleet.tick();
        RouterStatus router = fleet.router(VI_1).orElseThrow();
        assertThat(router.verdict()).isEqualTo(Verdict.SPLIT_BRAIN);
        assertThat(router.reasons()).contains("n1 and n2 are both MASTER");
        List<FleetEvent.Alarm> alarms = alarms(fleet.drainEvents());
        assertThat(alarms).hasSize(1);
        assertThat(alarms.get(0).raised()).isTrue();
        assertThat(alarms.get(0).verdict()).isEqualTo(Verdict.SPLIT_BRAIN);

        // Healing clears it at once.
        fleet.applyInstance(instance("n2", "VI_1", 51, BACKUP, 100, VIP), "advert");
        assertThat(fleet.router(VI_1).orElseThrow().verdict()).isEqualTo(Verdict.HEALTHY);
        assertThat(alarms(fleet.drainEvents())).singleElement().satisfies(a -> assertThat(a.raised()).isFalse());
    }

    @Test
    void anAlarmIsHeldUntilItsHoldDownEndsAndNoLongerOnceRaisedOrCleared() {
        assertThat(fleet.alarmsHeldUntil()).as("a healthy fleet holds nothing back").isEmpty();
        java.time.Instant split = clock.instant();
        fleet.applyInstance(instance("n2", "VI_1", 51, MASTER, 100, VIP), "advert timeout");
        assertThat(fleet.alarmsHeldUntil()).contains(split.plus(FleetSettings.DEFAULTS.confirmAfter()));
        clock.advance(FleetSettings.DEFAULTS.confirmAfter());
        fleet.tick();
        assertThat(fleet.router(VI_1).orElseThrow().verdict()).isEqualTo(Verdict.SPLIT_BRAIN);
        assertThat(fleet.alarmsHeldUntil()).as("raised: nothing held").isEmpty();

        fleet.applyInstance(instance("n3", "VI_1", 51, MASTER, 50, VIP), "advert timeout");
        fleet.applyInstance(instance("n2", "VI_1", 51, BACKUP, 100, VIP), "advert");
        fleet.applyInstance(instance("n3", "VI_1", 51, BACKUP, 50, VIP), "advert");
        assertThat(fleet.router(VI_1).orElseThrow().verdict()).isEqualTo(Verdict.HEALTHY);
        assertThat(fleet.alarmsHeldUntil()).as("cleared: nothing held").isEmpty();
    }

    @Test
    void aVipOnTwoNodesIsSplitBrainEvenWhenTheirKeepalivedsDisagree() {
        fleet.applyVip(vip("n3", VIP), true);
        clock.advance(Duration.ofSeconds(2));
        fleet.tick();
        RouterStatus router = fleet.router(VI_1).orElseThrow();
        assertThat(router.vipHolders().get(VIP)).containsExactly("n1", "n3");
        assertThat(router.verdict()).isEqualTo(Verdict.SPLIT_BRAIN);
        assertThat(router.reasons()).anyMatch(r -> r.contains(VIP + " is up on n1 and n3"))
                .anyMatch(r -> r.contains(VIP + " is on n3, whose keepalived is BACKUP"));
    }

    @Test
    void aCrashedMasterLeavesAnOrphanVipThenABackupTakesOver() {
        fleet.applyDaemon(daemon("n1", false));
        clock.advance(Duration.ofSeconds(2));
        fleet.tick();
        RouterStatus crashed = fleet.router(VI_1).orElseThrow();
        assertThat(crashed.member("n1").orElseThrow().state()).isEqualTo(VrrpState.STOP);
        assertThat(crashed.verdict()).isEqualTo(Verdict.ORPHAN_VIP);
        assertThat(crashed.reasons()).anyMatch(r -> r.equals(VIP + " is on n1, whose keepalived is not running"));

        fleet.applyInstance(instance("n2", "VI_1", 51, MASTER, 100, VIP), "master down");
        fleet.applyVip(vip("n2", VIP), true);
        clock.advance(Duration.ofSeconds(2));
        fleet.tick();
        assertThat(fleet.router(VI_1).orElseThrow().verdict()).isEqualTo(Verdict.SPLIT_BRAIN);
    }

    @Test
    void aHungKeepalivedFoundAtConnectStillHoldingItsVipIsASplitBrainNotHealthy() {
        // What an agent started after the fault reports: the daemon answers no dump, its instance comes from its
        // configuration (state unknown), its VIP is up; meanwhile n2 took over and holds it too.
        fleet.applyReport(new NodeReport("n1", clock.instant(), List.of(daemon("n1", DaemonStatus.HUNG)),
                List.of(instance("n1", "VI_1", 51, VrrpState.UNKNOWN, 150, VIP)), List.of(vip("n1", VIP))));
        fleet.applyReport(report("n2", List.of(instance("n2", "VI_1", 51, MASTER, 100, VIP)), List.of(vip("n2", VIP))));
        clock.advance(Duration.ofSeconds(2));
        fleet.tick();
        RouterStatus router = fleet.router(VI_1).orElseThrow();
        RouterMember n1 = router.member("n1").orElseThrow();
        assertThat(n1.current()).isTrue();
        assertThat(n1.state()).isEqualTo(VrrpState.HUNG);
        assertThat(n1.problem()).isPresent();
        assertThat(router.verdict()).isEqualTo(Verdict.SPLIT_BRAIN);
        assertThat(router.reasons()).contains(VIP + " is up on n1 and n2 at once")
                .contains(VIP + " is on n1, whose keepalived is hung (does not answer)");
    }

    @Test
    void aKeepalivedThatHangsWhileWatchedMakesItsMemberHungNotStale() {
        fleet.applyDaemon(daemon("n3", DaemonStatus.HUNG));
        RouterStatus router = fleet.router(VI_1).orElseThrow();
        assertThat(router.member("n3").orElseThrow().state()).isEqualTo(VrrpState.HUNG);
        assertThat(router.verdict()).isEqualTo(Verdict.DEGRADED);
        assertThat(router.reasons()).anyMatch(r -> r.startsWith("n3 is HUNG: "));

        fleet.applyDaemon(daemon("n3", DaemonStatus.RUNNING));
        assertThat(fleet.router(VI_1).orElseThrow().member("n3").orElseThrow().state()).isEqualTo(BACKUP);
        assertThat(fleet.router(VI_1).orElseThrow().verdict()).isEqualTo(Verdict.HEALTHY);
    }

    @Test
    void aKeepalivedKilledBeforeConnectIsADeadMemberAndItsLeftoverVipAnOrphan() {
        fleet.applyReport(new NodeReport("n1", clock.instant(), List.of(daemon("n1", DaemonStatus.DEAD)),
                List.of(instance("n1", "VI_1", 51, VrrpState.UNKNOWN, 150, VIP)), List.of(vip("n1", VIP))));
        clock.advance(Duration.ofSeconds(2));
        fleet.tick();
        RouterStatus router = fleet.router(VI_1).orElseThrow();
        assertThat(router.member("n1").orElseThrow().state()).isEqualTo(VrrpState.DEAD);
        assertThat(router.verdict()).isEqualTo(Verdict.ORPHAN_VIP);
        assertThat(router.reasons()).contains(VIP + " is on n1, whose keepalived is dead (killed or crashed)");
    }

    @Test
    void aStoppedMemberOfThreeLeavesTheRouterDegradedNeverHealthy() {
        fleet.applyReport(new NodeReport("n3", clock.instant(), List.of(daemon("n3", DaemonStatus.STOPPED)),
                List.of(instance("n3", "VI_1", 51, VrrpState.UNKNOWN, 50, VIP)), List.of()));
        RouterStatus router = fleet.router(VI_1).orElseThrow();
        assertThat(router.member("n3").orElseThrow().state()).isEqualTo(VrrpState.STOP);
        assertThat(router.verdict()).isEqualTo(Verdict.DEGRADED);
        assertThat(router.reasons()).contains("n3 is STOP: keepalived not running");

        fleet.applyReport(new NodeReport("n2", clock.instant(), List.of(daemon("n2", DaemonStatus.STOPPED)),
                List.of(instance("n2", "VI_1", 51, VrrpState.UNKNOWN, 100, VIP)), List.of()));
        assertThat(fleet.router(VI_1).orElseThrow().verdict()).isEqualTo(Verdict.NO_REDUNDANCY);
    }

    @Test
    void aStaleNodeIsNeverShownWithItsLastStateAsCurrent() {
        fleet.nodeStatus(stale("n1"));
        RouterStatus router = fleet.router(VI_1).orElseThrow();
        RouterMember n1 = router.member("n1").orElseThrow();
        assertThat(n1.current()).isFalse();
        assertThat(n1.state()).isEqualTo(VrrpState.UNKNOWN);
        assertThat(n1.lastKnown().state()).isEqualTo(MASTER);
        // Its VIPs are not known either; the master is out of sight, which is STALE, not NO_MASTER.
        assertThat(router.vipHolders().get(VIP)).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        fleet.tick();
        assertThat(fleet.router(VI_1).orElseThrow().verdict()).isEqualTo(Verdict.STALE);
        assertThat(fleet.router(VI_1).orElseThrow().reasons()).anyMatch(r -> r.startsWith("n1: no current state"));
        assertThat(alarms(fleet.drainEvents())).isEmpty();

        fleet.nodeStatus(online("n1"));
        assertThat(fleet.router(VI_1).orElseThrow().verdict()).isEqualTo(Verdict.HEALTHY);
    }

    @Test
    void aNodeNeverReadMayBeTheMasterSoItsRouterIsStaleNotWithoutMaster() {
        // keepwatch status started while n1's sshd is dead: n1 (the master) has never been read.
        FleetState fresh = new FleetState(clock, FleetSettings.DEFAULTS);
        for (String node : List.of("n1", "n2", "n3")) {
            fresh.addNode(node, "lab");
        }
        fresh.nodeStatus(new NodeStatus("n1", ConnectionState.OFFLINE, clock.instant(),
                java.util.Optional.of("Connection refused"), java.util.Optional.empty(), java.util.Optional.empty()));
        fresh.nodeStatus(online("n2"));
        fresh.nodeStatus(online("n3"));
        fresh.applyReport(report("n2", List.of(instance("n2", "VI_1", 51, BACKUP, 100, VIP)), List.of()));
        fresh.applyReport(report("n3", List.of(instance("n3", "VI_1", 51, BACKUP, 50, VIP)), List.of()));
        clock.advance(Duration.ofSeconds(2));
        fresh.tick();
        RouterStatus router = fresh.router(VI_1).orElseThrow();
        assertThat(router.verdict()).isEqualTo(Verdict.STALE);
        assertThat(router.reasons()).anyMatch(r -> r.startsWith("n1 has not been read yet"));
        assertThat(alarms(fresh.drainEvents())).isEmpty();

        fresh.nodeStatus(online("n1"));
        fresh.applyReport(report("n1", List.of(instance("n1", "VI_1", 51, MASTER, 150, VIP)), List.of(vip("n1", VIP))));
        assertThat(fresh.router(VI_1).orElseThrow().verdict()).isEqualTo(Verdict.HEALTHY);
    }

    @Test
    void noMasterInSightBehindAnUnreadMasterIsStaleAndSaysWhatItRestsOn() {
        // The chaos soak's round: the master cut off from Keepwatch (and from its peers), keepalived stopped on the others.
        fleet.nodeStatus(stale("n1"));
        for (String node : List.of("n2", "n3")) {
            fleet.applyReport(new NodeReport(node, clock.instant(), List.of(daemon(node, DaemonStatus.STOPPED)),
                    List.of(instance(node, "VI_1", 51, VrrpState.UNKNOWN, 100, VIP)), List.of()));
        }
        RouterStatus router = fleet.router(VI_1).orElseThrow();
        assertThat(router.verdict()).as("Keepwatch cannot know whether n1 still serves the VIP").isEqualTo(Verdict.STALE);
        assertThat(router.reasons()).contains("no member Keepwatch can read is MASTER (n2 STOP, n3 STOP): the router"
                + " has a master only if n1 is it");

        fleet.nodeStatus(online("n1"));
        fleet.applyReport(new NodeReport("n1", clock.instant(), List.of(daemon("n1", true)),
                List.of(instance("n1", "VI_1", 51, VrrpState.FAULT, 150, VIP)), List.of()));
        clock.advance(Duration.ofSeconds(2));
        fleet.tick();
        assertThat(fleet.router(VI_1).orElseThrow().verdict()).isEqualTo(Verdict.NO_MASTER);
    }

    @Test
    void aStaleBackupMakesTheRouterStale() {
        fleet.nodeStatus(stale("n3"));
        assertThat(fleet.router(VI_1).orElseThrow().verdict()).isEqualTo(Verdict.STALE);
    }

    @Test
    void differentVipSetsAreDrift() {
        fleet.applyInstance(instance("n3", "VI_1", 51, BACKUP, 50, VIP, "10.77.0.199"), "reload");
        RouterStatus router = fleet.router(VI_1).orElseThrow();
        assertThat(router.verdict()).isEqualTo(Verdict.DRIFT);
        assertThat(router.reasons()).singleElement().asString()
                .startsWith("VIPs differ: n1 and n2 10.77.0.101; n3 10.77.0.101, 10.77.0.199");
    }

    @Test
    void onlyTheMasterUpIsNoRedundancy() {
        fleet.applyDaemon(daemon("n2", false));
        fleet.applyDaemon(daemon("n3", false));
        RouterStatus router = fleet.router(VI_1).orElseThrow();
        assertThat(router.verdict()).isEqualTo(Verdict.NO_REDUNDANCY);
        assertThat(router.reasons()).containsExactly("only n1 is up (n2 STOP, n3 STOP)",
                "n2 is STOP: keepalived not running", "n3 is STOP: keepalived not running");
    }

    @Test
    void neutronRoutersAreTheirQrouterNamespacesAndVipsCountPerNamespace() {
        fleet.addNode("net1", "neutron");
        fleet.addNode("net2", "neutron");
        fleet.nodeStatus(online("net1"));
        fleet.nodeStatus(online("net2"));
        String r1 = "4aa19c53-022c-5a88-9c3e-5cb14e83330d";
        String r2 = "961e5301-ed35-5e0b-bd1f-bc5646e8cf5a";
        fleet.applyReport(report("net1", List.of(neutron("net1", r1, 1, MASTER), neutron("net1", r2, 2, BACKUP)),
                List.of(vip("net1", "qrouter-" + r1, "169.254.0.1"))));
        fleet.applyReport(report("net2", List.of(neutron("net2", r1, 1, BACKUP), neutron("net2", r2, 2, MASTER)),
                // The same address in another router's namespace is not this router's VIP.
                List.of(vip("net2", "qrouter-" + r2, "169.254.0.2"), vip("net2", "qrouter-" + r2, "169.254.0.1"))));
        RouterStatus first = fleet.router(new RouterKey(RouterKey.Kind.NEUTRON, "neutron", r1)).orElseThrow();
        assertThat(first.key().label()).isEqualTo(r1);
        assertThat(first.masters()).containsExactly("net1");
        assertThat(first.vipHolders()).containsEntry("169.254.0.1", List.of("net1"));
        assertThat(first.verdict()).isEqualTo(Verdict.HEALTHY);
        assertThat(fleet.routers()).hasSize(3);
    }

    @Test
    void transitionsAreKeptPerInstanceWithinTheLimit() {
        FleetState small = new FleetState(clock, new FleetSettings(Duration.ofMillis(1500), 3, 1000));
        small.addNode("n1", "lab");
        small.nodeStatus(online("n1"));
        for (int i = 0; i < 5; i++) {
            small.applyInstance(instance("n1", "VI_1", 51, i % 2 == 0 ? MASTER : BACKUP, 150, VIP), "flap " + i);
        }
        List<Transition> history = small.history(new InstanceId("n1", "keepalived", "VI_1"));
        assertThat(history).hasSize(3);
        assertThat(history).extracting(Transition::cause).containsExactly("flap 2", "flap 3", "flap 4");
        assertThat(history.get(2).from()).isEqualTo(BACKUP);
        assertThat(history.get(2).to()).isEqualTo(MASTER);
    }

    @Test
    void eventsArriveInOrderAndAnOverflowIsReported() {
        fleet.applyInstance(instance("n2", "VI_1", 51, BACKUP, 90, VIP), "priority");
        EventBatch batch = fleet.drainEvents();
        assertThat(batch.overflowed()).isFalse();
        assertThat(batch.events()).first().isInstanceOf(FleetEvent.InstanceChanged.class);
        FleetEvent.InstanceChanged changed = (FleetEvent.InstanceChanged) batch.events().get(0);
        assertThat(changed.before().orElseThrow().effectivePriority()).isEqualTo(100);
        assertThat(changed.after().effectivePriority()).isEqualTo(90);
        assertThat(fleet.drainEvents().isEmpty()).isTrue();

        FleetState tiny = new FleetState(clock, new FleetSettings(Duration.ZERO, 10, 4));
        tiny.addNode("n1", "lab");
        for (int i = 0; i < 10; i++) {
            tiny.applyInstance(instance("n1", "VI_1", 51, MASTER, 100 + i, VIP), "priority");
        }
        EventBatch overflow = tiny.drainEvents();
        assertThat(overflow.overflowed()).isTrue();
        assertThat(overflow.events()).hasSize(4);
    }

    @Test
    void aRemovedInstanceLeavesItsRouterAndTheLastOneRemovesTheRouter() {
        fleet.applyInstance(instance("n3", "VI_1", 51, VrrpState.DELETED, 50, VIP), "reload");
        assertThat(fleet.router(VI_1).orElseThrow().members()).extracting(RouterMember::node).containsExactly("n1", "n2");
        fleet.removeNode("n1");
        fleet.removeNode("n2");
        assertThat(fleet.router(VI_1)).isEmpty();
        assertThat(fleet.drainEvents().events()).last().isInstanceOf(FleetEvent.RouterRemoved.class);
    }

    @Test
    void nodesSortNaturally() {
        assertThat(List.of("n10", "n2", "n1", "net2", "net10").stream().sorted(FleetState::naturalOrder).toList())
                .containsExactly("n1", "n2", "n10", "net2", "net10");
        assertThat(List.of("n1-10", "n1-02", "n1-1", "n007", "n8", "n0", "n00").stream().sorted(FleetState::naturalOrder).toList())
                .containsExactly("n0", "n00", "n1-1", "n1-02", "n1-10", "n007", "n8");
    }

    private static List<FleetEvent.Alarm> alarms(EventBatch batch) {
        return batch.events().stream().filter(FleetEvent.Alarm.class::isInstance).map(FleetEvent.Alarm.class::cast).toList();
    }

    @Test
    void aDaemonsKindFromTheSnapshotIsKeptWhenADaemonEventSaysNothingOfIt() {
        FleetState fleet = new FleetState(java.time.Clock.systemUTC(), FleetSettings.DEFAULTS);
        fleet.addNode("n1", "lab");
        DaemonKind contained = new DaemonKind(java.util.Optional.of("2.3.3"), false, java.util.Optional.empty());
        fleet.applyReport(new NodeReport("n1", java.time.Instant.now(), List.of(new DaemonObservation("n1", "keepalived", "",
                DaemonStatus.RUNNING, java.util.Optional.empty(), java.util.Optional.empty(), contained)), List.of(), List.of()));
        fleet.applyDaemon(new DaemonObservation("n1", "keepalived", "", DaemonStatus.HUNG, java.util.Optional.empty()));
        assertThat(fleet.daemons("n1")).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo(DaemonStatus.HUNG);
            assertThat(d.kind()).isEqualTo(contained);
            assertThat(d.kind().describe()).containsExactly("in a container (own mount namespace)");
        });
    }

    @Test
    void theAgentsNotVisibleIsAStatusOfItsOwnNotADeath() {
        for (var event : List.of(
                new org.keepwatch.agent.AgentEvent.Daemon(1.0, "keepalived", "not_visible", java.util.Optional.empty(),
                        java.util.Optional.empty(), java.util.Optional.of("not_visible")),
                new org.keepwatch.agent.AgentEvent.Daemon(1.0, "keepalived", "configured", java.util.Optional.empty(),
                        java.util.Optional.empty(), java.util.Optional.of("not_visible")))) {
            DaemonObservation seen = AgentTranslation.daemon("n3", event);
            assertThat(seen.status()).as(event.action()).isEqualTo(DaemonStatus.NOT_VISIBLE);
            assertThat(seen.alive()).isFalse();
            assertThat(seen.status().instanceState()).contains(VrrpState.UNKNOWN);
        }
        assertThat(AgentTranslation.daemon("n3", new org.keepwatch.agent.AgentEvent.Daemon(1.0, "keepalived", "configured",
                java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.of("died"))).status())
                .isEqualTo(DaemonStatus.DEAD);
    }
}
