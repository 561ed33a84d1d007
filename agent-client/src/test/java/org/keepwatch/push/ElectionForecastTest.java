package org.keepwatch.push;

import org.junit.jupiter.api.Test;
import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.InstanceObservation;
import org.keepwatch.fleet.InstanceStats;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.fleet.VrrpState;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The election's outcome said before a push, as keepalived elects. */
class ElectionForecastTest {

    private static final String PATH = "/etc/keepalived/keepalived.conf";

    @Test
    void aHigherPriorityThatPreemptsTakesTheRouterOver() {
        RouterStatus router = router(member("n1", VrrpState.BACKUP, 100, 100, false), member("n2", VrrpState.MASTER, 150, 150, false),
                member("n3", VrrpState.BACKUP, 50, 50, false));
        ElectionForecast.Forecast f = ElectionForecast.of(router, Map.of("n3", new ElectionForecast.After(200, false, Optional.empty())));
        assertThat(f.sentence()).isEqualTo("n3 (200) will take VI_2 over from n2 (150)");
        assertThat(f.masterChanges()).isTrue();
        assertThat(f.masterAfter()).contains("n3");
    }

    @Test
    void noMasterChangesWhenTheMasterStaysHighestOrTheHigherOneDoesNotPreempt() {
        RouterStatus router = router(member("n1", VrrpState.BACKUP, 100, 100, false), member("n2", VrrpState.MASTER, 150, 150, false));
        assertThat(ElectionForecast.of(router, Map.of("n1", new ElectionForecast.After(120, false, Optional.empty()))).sentence())
                .isEqualTo("No master changes for VI_2: n2 (150) stays master");
        ElectionForecast.Forecast held = ElectionForecast.of(router, Map.of("n1", new ElectionForecast.After(200, true, Optional.empty())));
        assertThat(held.masterChanges()).isFalse();
        assertThat(held.sentence()).isEqualTo("No master changes for VI_2: n2 (150) stays master; n1 (200) is higher but does not "
                + "preempt (nopreempt)");
        // keepalived ignores nopreempt with initial state MASTER
        assertThat(ElectionForecast.of(router, Map.of("n1", new ElectionForecast.After(200, true,
                Optional.of(org.keepwatch.config.VrrpInstance.State.MASTER)))).sentence())
                .isEqualTo("n1 (200) will take VI_2 over from n2 (150)");
        // an equal priority does not preempt
        assertThat(ElectionForecast.of(router, Map.of("n1", new ElectionForecast.After(150, false, Optional.empty()))).masterChanges()).isFalse();
    }

    @Test
    void theMasterLoweredBelowABackupIsTakenOverAndTrackedWeightsStay() {
        // n2 runs at effective 130 (base 150, a tracked script took 20); lowered to 90 it runs at 70, below n1's 100
        RouterStatus router = router(member("n1", VrrpState.BACKUP, 100, 100, false), member("n2", VrrpState.MASTER, 150, 130, false));
        assertThat(ElectionForecast.of(router, Map.of("n2", new ElectionForecast.After(90, false, Optional.empty()))).sentence())
                .isEqualTo("n1 (100) will take VI_2 over from n2 (70)");
    }

    @Test
    void membersOutOfTheElectionDoNotCountAndNoMasterOrASplitIsSaid() {
        RouterStatus faulted = router(member("n1", VrrpState.FAULT, 250, 250, false), member("n2", VrrpState.MASTER, 150, 150, false));
        assertThat(ElectionForecast.of(faulted, Map.of()).masterChanges()).isFalse();
        RouterStatus none = router(member("n1", VrrpState.BACKUP, 100, 100, false), member("n2", VrrpState.FAULT, 150, 150, false));
        assertThat(ElectionForecast.of(none, Map.of()).sentence()).isEqualTo("VI_2 has no master now; n1 (100) should become its master");
        RouterStatus split = router(member("n1", VrrpState.MASTER, 100, 100, false), member("n2", VrrpState.MASTER, 150, 150, false));
        assertThat(ElectionForecast.of(split, Map.of()).sentence())
                .isEqualTo("VI_2 is split now (n1, n2 MASTER); once they hear each other n2 (150) should be its master");
    }

    @Test
    void aNodesPushForecastsEveryRouterWhoseBlockItChangesAndOnlyThose() {
        String text = """
                vrrp_instance VI_1 {
                    interface eth0
                    virtual_router_id 51
                    priority 100
                    virtual_ipaddress {
                        10.0.0.1
                    }
                }
                vrrp_instance VI_2 {
                    interface eth0
                    virtual_router_id 52
                    priority 50
                    virtual_ipaddress {
                        10.0.0.2
                    }
                }
                """;
        ConfigDraft draft = ConfigDraft.of(new ConfigFiles("keepalived", PATH, List.of(new ConfigFiles.File(PATH, "main", text, "0".repeat(64))),
                List.of()), "n3");
        ConfigDraft edited = draft.withText(PATH, text.replace("priority 50", "priority 200") + "# a comment\n");
        RouterStatus vi1 = router("VI_1", member("n3", "VI_1", VrrpState.MASTER, 100, 100, false), member("n1", "VI_1", VrrpState.BACKUP, 90, 90, false));
        RouterStatus vi2 = router("VI_2", member("n3", VrrpState.BACKUP, 50, 50, false), member("n2", VrrpState.MASTER, 150, 150, false));
        List<ElectionForecast.Forecast> forecasts = ElectionForecast.ofNode(List.of(vi1, vi2),
                new EditTarget("n3", "keepalived", Optional.empty()), edited);
        assertThat(forecasts).extracting(ElectionForecast.Forecast::sentence).containsExactly("n3 (200) will take VI_2 over from n2 (150)");
        assertThat(ElectionForecast.ofNode(List.of(vi1, vi2), new EditTarget("n3", "keepalived", Optional.empty()),
                draft.withText(PATH, text + "# only a comment\n"))).isEmpty();
    }

    private static RouterStatus router(RouterMember... members) {
        return router("VI_2", members);
    }

    private static RouterStatus router(String name, RouterMember... members) {
        return new RouterStatus(new RouterKey(RouterKey.Kind.VRRP, "lab", name.equals("VI_1") ? "51" : "52"), name, 52,
                List.of("10.0.0.2"), List.of(members), Map.of(), Verdict.HEALTHY, List.of(), Instant.EPOCH);
    }

    private static RouterMember member(String node, VrrpState state, int base, int effective, boolean nopreempt) {
        return member(node, "VI_2", state, base, effective, nopreempt);
    }

    private static RouterMember member(String node, String name, VrrpState state, int base, int effective, boolean nopreempt) {
        InstanceObservation o = new InstanceObservation(node, "keepalived", "", name, 52, "eth0", state, base, effective,
                List.of("10.0.0.2"), List.of(), 1.0, 2, "none", nopreempt, List.of(), Optional.empty(), InstanceStats.NONE);
        return new RouterMember(node, o, true, Instant.EPOCH, List.of(), Optional.empty());
    }
}
