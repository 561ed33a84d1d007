package org.keepwatch.app.diagnosis;

import com.fasterxml.jackson.databind.ObjectMapper;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.agent.DiagnoseReport;
import org.keepwatch.app.TestStages;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.diagnosis.Cause;
import org.keepwatch.diagnosis.Diagnosis;
import org.keepwatch.diagnosis.Finding;
import org.keepwatch.diagnosis.Hearing;
import org.keepwatch.diagnosis.MemberEvidence;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.Verdict;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** "Why?" as the operator sees it: progress while the members listen, then the verdict first with its evidence. */
@ExtendWith(ApplicationExtension.class)
class DiagnosisViewTest {

    private static final RouterStatus SPLIT = new RouterStatus(new RouterKey(RouterKey.Kind.VRRP, "lab", "51"), "VI_1", 51,
            List.of("10.77.0.101"), List.of(), Map.of(), Verdict.SPLIT_BRAIN, List.of("n1 and n2 are MASTER"), Instant.EPOCH);

    private final List<CompletableFuture<Diagnosis>> asked = new ArrayList<>();
    private final List<Consumer<String>> listeners = new ArrayList<>();
    private DiagnosisViewModel model;
    private Stage stage;

    @Start
    void start(Stage owner) {
        TestStages.blankOwner(owner);
        model = new DiagnosisViewModel((router, progress) -> {
            CompletableFuture<Diagnosis> answer = new CompletableFuture<>();
            asked.add(answer);
            listeners.add(progress);
            return answer;
        }, Tasks.onFxThread(Executors.newSingleThreadExecutor()));
        DiagnosisView view = new DiagnosisView(model, () -> stage.close());
        stage = new Stage();
        stage.setScene(new Scene(view.root(), 820, 600));
        stage.show();
    }

    @Test
    void whileTheMembersListenEachStepShowsAndListeningAgainWaits(FxRobot robot) {
        robot.interact(() -> model.start(SPLIT));
        listeners.get(0).accept("listening for VRRP on n1, n2, n3 for 3 s");
        listeners.get(0).accept("n2 has listened (0 senders heard)");
        WaitForAsyncUtils.waitForFxEvents();
        VBox steps = robot.lookup("#diagnosis-progress").queryAs(VBox.class);
        assertThat(steps.getChildren()).extracting(n -> ((Label) n).getText())
                .containsExactly("listening for VRRP on n1, n2, n3 for 3 s", "n2 has listened (0 senders heard)");
        assertThat(robot.lookup("#diagnosis-listening").query().isVisible()).isTrue();
        assertThat(robot.lookup("#diagnosis-again").queryButton().isDisabled()).isTrue();
        assertThat(model.titleProperty().get()).isEqualTo("Why? VI_1 (VRID 51), split brain");
    }

    @Test
    void theVerdictComesFirstWithItsEvidenceThenWhoHearsWhom(FxRobot robot) {
        robot.interact(() -> model.start(SPLIT));
        asked.get(0).complete(firewallOnN2());
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#diagnosis-verdict").queryAs(Label.class).getText()).isEqualTo("A firewall drops VRRP — n2");
        assertThat(robot.lookup("#diagnosis-sentence").queryAs(Label.class).getText())
                .isEqualTo("n2's firewall drops VRRP coming in.");
        assertThat(robot.lookup(".kw-diagnosis-evidence").queryAllAs(Label.class)).extracting(Label::getText)
                .contains("•  n2: nftables inet kwlab_vrrp_in input: ip protocol == \"vrrp\" drop");
        assertThat(robot.lookup(".kw-diagnosis-missed").queryAllAs(Label.class)).extracting(Label::getText)
                .containsExactly("✗ not heard");
        assertThat(robot.lookup(".kw-diagnosis-heard").queryAllAs(Label.class)).extracting(Label::getText)
                .contains("✓ 3 adverts, priority 100");
        assertThat(robot.lookup("#diagnosis-listening").query().isVisible()).isFalse();
        Button again = robot.lookup("#diagnosis-again").queryButton();
        assertThat(again.isDisabled()).isFalse();
        robot.clickOn(again);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(asked).as("listen again asks the members again").hasSize(2);
        assertThat(robot.lookup("#diagnosis-result").queryAs(VBox.class).getChildren()).isEmpty();
    }

    @Test
    void aDiagnosisThatCannotRunSaysWhy(FxRobot robot) {
        robot.interact(() -> model.start(SPLIT));
        asked.get(0).completeExceptionally(new IllegalArgumentException("no router VRID 51 in the fleet"));
        WaitForAsyncUtils.waitForFxEvents();
        Label failure = robot.lookup("#diagnosis-failure").queryAs(Label.class);
        assertThat(failure.isVisible()).isTrue();
        assertThat(failure.getText()).isEqualTo("The diagnosis could not run: no router VRID 51 in the fleet");
        assertThat(model.runningProperty().get()).isFalse();
    }

    private static Diagnosis firewallOnN2() {
        DiagnoseReport report = DiagnoseReport.of(new ObjectMapper().createObjectNode());
        Finding firewall = new Finding(Cause.FIREWALL, Optional.of("n2"), "n2's firewall drops VRRP coming in.",
                List.of("n2: nftables inet kwlab_vrrp_in input: ip protocol == \"vrrp\" drop",
                        "n2 heard no adverts for VRID 51 (it is MASTER)"));
        Finding loss = new Finding(Cause.ONE_WAY_LOSS, Optional.of("n2"), "n2 does not hear n1's adverts.", List.of());
        List<Hearing> hearing = List.of(new Hearing("n1", "n2", false, 3, OptionalInt.of(100)),
                new Hearing("n2", "n1", false, 0, OptionalInt.empty()));
        return new Diagnosis("VI_1 (VRID 51)", 51, 3, firewall, List.of(loss), hearing,
                List.of(MemberEvidence.of("n1", "keepalived", "VI_1", report),
                        MemberEvidence.of("n2", "keepalived", "VI_1", report),
                        MemberEvidence.failed("n3", "keepalived", "VI_1", "its node is not connected")),
                List.of("n3: could not look: no nft owned by root"));
    }
}
