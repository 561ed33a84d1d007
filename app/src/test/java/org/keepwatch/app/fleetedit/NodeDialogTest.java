package org.keepwatch.app.fleetedit;

import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetFile;
import org.keepwatch.fleet.FleetNode;
import org.keepwatch.fleet.edit.FleetEdits;
import org.keepwatch.fleet.edit.FleetValidator;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Add node and Edit node as an operator uses them, saved to a real fleet file and read back. */
@ExtendWith(ApplicationExtension.class)
class NodeDialogTest {

    @TempDir
    Path dir;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        org.keepwatch.app.TestStages.blankOwner(stage);
    }

    private NodeDialog show(FleetEdits edits, Optional<FleetNode> node, FxRobot robot) {
        NodeDialog[] dialog = new NodeDialog[1];
        robot.interact(() -> {
            dialog[0] = new NodeDialog(stage, edits, Tasks.onFxThread(Runnable::run), new FleetValidator(dir), dir, node, "lab");
            dialog[0].show();
        });
        return dialog[0];
    }

    @Test
    void addsANodeToTheOpenFleetAndSaysWhatIsWrongUntilItIsRight(FxRobot robot) throws Exception {
        Path file = FleetFixtures.labFleet(dir);
        FleetService service = FleetFixtures.opened(file);
        NodeDialog dialog = show(FleetFixtures.edits(service, dir.resolve("unused.json")), Optional.empty(), robot);
        Button save = robot.lookup("#node-dialog-save").queryButton();
        assertThat(save.getText()).isEqualTo("Add node");
        assertThat(save.isDisabled()).as("a node needs a name").isTrue();

        robot.clickOn("#field-name").write("n1");
        assertThat(problem(robot, "name")).isEqualTo("There is already a node named n1");
        assertThat(save.isDisabled()).isTrue();
        robot.interact(() -> robot.lookup("#field-name").queryAs(TextField.class).setText("n3"));
        robot.clickOn("#field-host").write("10.77.0.13:2222");
        assertThat(problem(robot, "host")).isEqualTo("Host \"10.77.0.13:2222\" contains a port: put 2222 in Port");
        robot.interact(() -> robot.lookup("#field-host").queryAs(TextField.class).setText("10.77.0.13"));
        robot.clickOn("#field-port").write("2222");
        robot.clickOn("#field-jump-host").write("admin@bastion");
        // The group's defaults show where a field is left empty.
        assertThat(robot.lookup("#field-user").queryAs(TextField.class).getPromptText()).isEqualTo("root (group)");
        assertThat(save.isDisabled()).isFalse();

        robot.clickOn("#node-dialog-save");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(dialog.dialog().isShowing()).isFalse();
        Fleet saved = FleetFile.read(file);
        FleetNode n3 = saved.node("n3").orElseThrow();
        assertThat(n3.group()).isEqualTo("lab");
        assertThat(n3.settings().host()).contains("10.77.0.13");
        assertThat(n3.settings().port()).contains(2222);
        assertThat(n3.settings().jumpHost()).contains("admin@bastion");
        assertThat(saved.effectiveSettings(n3).user()).contains("root");
        assertThat(service.fleet().node("n3")).isPresent();
        assertThat(service.state().nodes()).extracting(s -> s.node()).contains("n3");
    }

    @Test
    void editingKeepsFieldsThisVersionDoesNotKnowAndARenameKeepsThePlace(FxRobot robot) throws Exception {
        Path file = FleetFixtures.labFleet(dir);
        FleetService service = FleetFixtures.opened(file);
        show(FleetFixtures.edits(service, dir.resolve("unused.json")), service.fleet().node("n1"), robot);
        assertThat(robot.lookup("#field-host").queryAs(TextField.class).getText()).isEqualTo("10.77.0.11");
        robot.interact(() -> {
            robot.lookup("#field-name").queryAs(TextField.class).setText("n1a");
            robot.lookup("#field-user").queryAs(TextField.class).setText("keepwatch");
            @SuppressWarnings("unchecked")
            ChoiceBox<SettingsFormModel.Sudo> sudo = robot.lookup("#field-sudo").queryAs(ChoiceBox.class);
            sudo.setValue(SettingsFormModel.Sudo.YES);
        });
        robot.clickOn("#node-dialog-save");
        WaitForAsyncUtils.waitForFxEvents();
        Fleet saved = FleetFile.read(file);
        assertThat(saved.nodes()).extracting(FleetNode::name).containsExactly("n1a", "n2", "net1");
        FleetNode renamed = saved.node("n1a").orElseThrow();
        assertThat(renamed.settings().user()).contains("keepwatch");
        assertThat(renamed.settings().sudo()).contains(true);
        assertThat(renamed.json().path("rack").asText()).isEqualTo("r12");
        assertThat(Files.readString(file)).contains("\"rack\" : \"r12\"");
    }

    @Test
    void withNoFleetOpenTheFirstNodeStartsTheConfigurationFleetFile(FxRobot robot) throws Exception {
        FleetService service = new FleetService(java.time.Clock.systemUTC(), Runnable::run, null);
        Path config = dir.resolve("config/keepwatch/fleet.json");
        show(FleetFixtures.edits(service, config), Optional.empty(), robot);
        assertThat(robot.lookup(".label").queryAllAs(Label.class)).extracting(Label::getText)
                .contains("Saved to " + config);
        robot.clickOn("#field-name").write("gw-a");
        robot.interact(() -> robot.lookup("#field-group").queryAs(ComboBox.class).getEditor().setText("site-a"));
        robot.clickOn("#node-dialog-save");
        WaitForAsyncUtils.waitForFxEvents();
        Fleet saved = FleetFile.read(config);
        assertThat(saved.node("gw-a")).isPresent();
        assertThat(saved.group("site-a")).as("a group typed in is created").isPresent();
        assertThat(service.file()).contains(config);
    }

    @Test
    void aFailedSaveStaysOpenAndSaysWhy(FxRobot robot) throws Exception {
        Path readOnly = Files.createDirectories(dir.resolve("ro"));
        Path file = FleetFixtures.labFleet(readOnly);
        FleetService service = FleetFixtures.opened(file);
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(readOnly), "running as a user who can write anywhere");
        try {
            NodeDialog dialog = show(FleetFixtures.edits(service, dir.resolve("unused.json")), Optional.empty(), robot);
            robot.clickOn("#field-name").write("n9");
            robot.clickOn("#node-dialog-save");
            WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#save-status").queryAs(Label.class)
                    .getText().startsWith("Not saved"));
            assertThat(dialog.dialog().isShowing()).isTrue();
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aBrokenConfigurationFleetFileIsNeverOverwritten(FxRobot robot) throws Exception {
        FleetService service = new FleetService(java.time.Clock.systemUTC(), Runnable::run, null);
        Path config = Files.writeString(dir.resolve("fleet.json"), "{ this is not json");
        NodeDialog dialog = show(FleetFixtures.edits(service, config), Optional.empty(), robot);
        robot.clickOn("#field-name").write("gw-a");
        robot.clickOn("#node-dialog-save");
        WaitForAsyncUtils.waitForFxEvents();
        String status = robot.lookup("#save-status").queryAs(Label.class).getText();
        assertThat(status).startsWith("Not saved: " + config + " already exists and cannot be read, so it was left as it is");
        assertThat(Files.readString(config)).isEqualTo("{ this is not json");
        assertThat(dialog.dialog().isShowing()).isTrue();
    }

    private static String problem(FxRobot robot, String field) {
        return robot.lookup("#problem-" + field).queryAs(Label.class).getText();
    }
}
