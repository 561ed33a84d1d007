package org.keepwatch.app.asof;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.app.HistoryDay;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.instances.InstanceRow;
import org.keepwatch.app.instances.InstancesViewModel;
import org.keepwatch.app.routers.RouterRow;
import org.keepwatch.app.routers.RoutersViewModel;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.Observations;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.history.HistoryStore;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.keepwatch.app.HistoryDay.at;

/** The Routers and Instances tables as of a moment, read from a real history; the moment as an operator types it. */
class AsOfViewModelTest {

    @TempDir
    static Path dir;
    private static HistoryStore store;
    private static final Instant NOW = HistoryDay.DAY.plus(Duration.ofDays(1));
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private final FleetState fleet = new FleetState(CLOCK, FleetSettings.DEFAULTS);
    private final RoutersViewModel routers = new RoutersViewModel(() -> fleet);
    private final InstancesViewModel instances = new InstancesViewModel(() -> fleet);

    @BeforeAll
    static void aDay() {
        store = HistoryDay.fill(dir);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    private AsOfViewModel model() {
        for (String node : new String[] {"n1", "n2"}) {
            fleet.addNode(node, "lab");
            fleet.nodeStatus(Observations.online(node));
        }
        fleet.applyInstance(HistoryDay.instance("n1", "VI_1", 51, VrrpState.MASTER), "snapshot");
        fleet.applyInstance(HistoryDay.instance("n2", "VI_1", 51, VrrpState.BACKUP), "snapshot");
        routers.reload();
        instances.reload();
        AsOfViewModel model = new AsOfViewModel(routers, instances, () -> fleet, CLOCK, ZoneOffset.UTC);
        model.useHistory(store::asOf, Tasks.sameThread());
        return model;
    }

    private RouterRow vi1() {
        return routers.pastRows().stream().filter(r -> r.key().equals(HistoryDay.VI_1)).findFirst().orElseThrow();
    }

    @Test
    void theTablesShowTheFleetAsItWasMarkedAsThePastUntilBackToLive() {
        AsOfViewModel model = model();
        assertThat(model.availableProperty().get()).isTrue();
        model.textProperty().set("01:30");
        model.go();
        assertThat(model.errorProperty().get()).isEmpty();
        assertThat(model.pastProperty().get()).isTrue();
        assertThat(model.asOfProperty().get()).isEqualTo(at("01:30:00"));
        assertThat(model.bannerProperty().get()).isEqualTo("As of 2026-11-20 01:30:00 — the past, not live");
        assertThat(model.summaryProperty().get()).contains("11 routers", "Actions are off");
        assertThat(routers.asOfProperty().get()).isEqualTo(at("01:30:00"));
        // then n2 was master (it is n1 now), and the row says when it became so
        RouterRow then = vi1();
        assertThat(then.masterProperty().get()).isEqualTo("n2");
        assertThat(then.verdictProperty().get()).isEqualTo(Verdict.HEALTHY);
        assertThat(then.asOf()).contains(at("01:30:00"));
        assertThat(then.lastChangeProperty().get()).isEqualTo(at("01:00:00"));
        InstanceRow n1 = instances.pastRows().stream().filter(r -> r.nodeProperty().get().equals("n1")
                && r.instanceProperty().get().equals("VI_1")).findFirst().orElseThrow();
        assertThat(n1.stateProperty().get()).isEqualTo(VrrpState.BACKUP);
        // the live rows stayed underneath, as they are
        assertThat(routers.rows()).singleElement().satisfies(r -> assertThat(r.masterProperty().get()).isEqualTo("n1"));

        model.backToLive();
        assertThat(model.pastProperty().get()).isFalse();
        assertThat(model.bannerProperty().get()).isEmpty();
        assertThat(routers.asOfProperty().get()).isNull();
        assertThat(routers.pastRows()).isEmpty();
        assertThat(instances.asOfProperty().get()).isNull();
    }

    @Test
    void aSplitBrainThenIsJudgedFromTheStatesTheHistoryKept() {
        AsOfViewModel model = model();
        model.goTo(at("20:30:30"));
        RouterRow then = vi1();
        assertThat(then.verdictProperty().get()).isEqualTo(Verdict.SPLIT_BRAIN);
        assertThat(then.reasonsProperty().get()).contains("MASTER on n1 and n2 at once");
        assertThat(then.masterProperty().get()).isEqualTo("n1, n2");
        // before the day began no instance was known: no router
        model.goTo(HistoryDay.DAY.minusSeconds(60));
        assertThat(routers.pastRows()).isEmpty();
        assertThat(model.summaryProperty().get()).startsWith("0 routers");
    }

    @Test
    void aMomentThatCannotBeShownIsSaidNamingWhatIsWrong() {
        AsOfViewModel model = model();
        model.textProperty().set("yesterday");
        model.go();
        assertThat(model.errorProperty().get()).contains("'yesterday' is not a moment", "HH:MM");
        assertThat(model.pastProperty().get()).isFalse();
        model.textProperty().set("2026-11-21 03:00");
        assertThat(model.errorProperty().get()).isEmpty(); // typing again clears it
        model.go();
        assertThat(model.errorProperty().get()).contains("2026-11-21 03:00:00 is in the future");
        assertThat(model.pastProperty().get()).isFalse();

        AsOfViewModel none = new AsOfViewModel(routers, instances, () -> fleet, CLOCK, ZoneOffset.UTC);
        assertThat(none.availableProperty().get()).isFalse();
        none.goTo(at("01:00:00"));
        assertThat(none.errorProperty().get()).contains("no history");
    }

    @Test
    void momentsAreReadAsOperatorsTypeThem() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        Clock noon = Clock.fixed(Instant.parse("2026-12-05T11:00:00Z"), ZoneOffset.UTC);
        assertThat(AsOfViewModel.parse("03:12", noon, paris)).isEqualTo(Instant.parse("2026-12-05T02:12:00Z"));
        assertThat(AsOfViewModel.parse(" 3:12:30 ", noon, paris)).isEqualTo(Instant.parse("2026-12-05T02:12:30Z"));
        // a time alone that has not come yet today is yesterday's: the last one that has passed
        assertThat(AsOfViewModel.parse("23:50", noon, paris)).isEqualTo(Instant.parse("2026-12-04T22:50:00Z"));
        assertThat(AsOfViewModel.parse("2026-12-04 23:59", noon, paris)).isEqualTo(Instant.parse("2026-12-04T22:59:00Z"));
        assertThat(AsOfViewModel.parse("2026-12-04T23:59:59", noon, paris)).isEqualTo(Instant.parse("2026-12-04T22:59:59Z"));
        assertThatThrownBy(() -> AsOfViewModel.parse("25:00", noon, paris)).hasMessageContaining("the time 25:00 has no hour 25");
        assertThatThrownBy(() -> AsOfViewModel.parse("03:61", noon, paris)).hasMessageContaining("has no minute 61");
        assertThatThrownBy(() -> AsOfViewModel.parse("2026-13-01 03:00", noon, paris))
                .hasMessageContaining("the date 2026-13-01 has no month 13");
        assertThatThrownBy(() -> AsOfViewModel.parse("2026-02-30 03:00", noon, paris))
                .hasMessageContaining("the date 2026-02-30 does not exist");
        assertThatThrownBy(() -> AsOfViewModel.parse("", noon, paris)).hasMessageContaining("Type a moment");
    }
}
