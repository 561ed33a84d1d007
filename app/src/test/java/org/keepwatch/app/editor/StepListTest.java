package org.keepwatch.app.editor;

import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.agent.ApplyStep;
import org.keepwatch.agent.AgentEvent;
import org.keepwatch.agent.ProtocolJson;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A step's detail (a backup's name, a hash) stays on one line, whole in its tooltip, in a member's narrow card of
 * the router push as in the node's push window; it was wrapped into a column a few characters wide.
 */
@ExtendWith(ApplicationExtension.class)
class StepListTest {

    private static final String BACKUP = "20261126T110214.040120Z-c0ffee123456.conf";
    private final ApplyProgress narrow = new ApplyProgress();
    private final ApplyProgress wide = new ApplyProgress();

    @Start
    void start(Stage stage) {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        VBox card = new VBox(new StepList(narrow.rows(), "narrow", true).root());
        card.setPrefWidth(360);
        card.setMaxWidth(360);
        VBox window = new VBox(new StepList(wide.rows(), "wide").root());
        window.setPrefWidth(1000);
        stage.setScene(new Scene(new VBox(24, card, window), 1000, 700));
        stage.show();
    }

    @Test
    void aBackupNameAndAHashStayOnOneLineAndWholeInTheTooltip(FxRobot robot) {
        String sha = "c0ffee1234567890".repeat(4);
        robot.interact(() -> {
            for (ApplyProgress progress : new ApplyProgress[]{narrow, wide}) {
                progress.apply(step("backup", "ok", "\"backup\":\"" + BACKUP + "\""));
                progress.apply(step("write", "ok", "\"sha256\":\"" + sha + "\""));
            }
        });
        for (String list : new String[]{"#narrow", "#wide"}) {
            Label backup = robot.lookup(list + " #step-detail-backup").queryAs(Label.class);
            Label write = robot.lookup(list + " #step-detail-write").queryAs(Label.class);
            Label lock = robot.lookup(list + " #step-detail-lock").queryAs(Label.class);
            assertThat(backup.getText()).contains(BACKUP);
            double oneLine = lock.getFont().getSize() * 2.2;
            assertThat(backup.getHeight()).as(list + ": the backup's name on one line").isLessThan(oneLine);
            assertThat(write.getHeight()).as(list + ": the hash on one line").isLessThan(oneLine);
            assertThat(backup.getWidth()).as(list + ": the detail gets the line's room").isGreaterThan(250);
            assertThat(backup.getTooltip()).isNotNull();
            assertThat(backup.getTooltip().getText()).isEqualTo(backup.getText());
            assertThat(write.getTooltip().getText()).contains(sha.substring(0, 12));
        }
    }

    private static ApplyStep step(String name, String status, String detail) {
        try {
            AgentEvent event = new AgentEvent.ApplyStepEvent(1.0, ProtocolJson.mapper().readTree("{\"event\":\"apply.step\",\"ts\":1.0,\"id\":8,\"op\":\"apply\","
                    + "\"daemon\":\"keepalived\",\"path\":\"/etc/keepalived/keepalived.conf\",\"paths\":[\"/etc/keepalived/keepalived.conf\"],"
                    + "\"step\":\"" + name + "\",\"status\":\"" + status + "\"," + detail + "}"));
            return ApplyStep.of(event).orElseThrow();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
