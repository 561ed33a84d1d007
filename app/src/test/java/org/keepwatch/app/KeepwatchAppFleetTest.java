package org.keepwatch.app;

import javafx.scene.control.Button;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetFile;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.framework.junit5.Stop;
import org.testfx.util.WaitForAsyncUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real application with no fleet: the welcome view offers adding a node and the imports, the header has the
 * fleet buttons, and a first node typed in becomes ~/.config/keepwatch/fleet.json, opened at once.
 */
@ExtendWith(ApplicationExtension.class)
class KeepwatchAppFleetTest {

    private static Path config;
    private KeepwatchApp app;
    private Stage stage;

    @BeforeAll
    static void emptyConfiguration() throws IOException {
        config = Files.createTempDirectory("keepwatch-config");
        System.setProperty(KeepwatchApp.CONFIG_DIR_PROPERTY, config.toString());
    }

    @AfterAll
    static void forget() {
        System.clearProperty(KeepwatchApp.CONFIG_DIR_PROPERTY);
    }

    @Start
    void start(Stage stage) {
        this.stage = stage;
        app = new KeepwatchApp();
        app.start(stage);
    }

    @Stop
    void stop() {
        app.stop();
    }

    @Test
    void theWelcomeViewAndTheHeaderOfferTheFleetActions(FxRobot robot) {
        assertThat(robot.lookup("#welcome-add-node").queryButton().getText()).isEqualTo("Add a node");
        assertThat(robot.lookup("#welcome-import-ssh").queryButton().getText()).isEqualTo("Import ~/.ssh/config");
        assertThat(robot.lookup("#welcome-import-ansible").queryButton().getText()).isEqualTo("Import an Ansible inventory");
        assertThat(robot.lookup("#header-add-node").tryQuery()).isPresent();
        robot.clickOn("#header-fleet");
        assertThat(robot.lookup("Manage fleet…").tryQuery()).isPresent();
        assertThat(robot.lookup("Import from an Ansible inventory…").tryQuery()).isPresent();
        robot.clickOn("Manage fleet…");
        assertThat(robot.lookup("#fleet-manager").tryQuery()).isPresent();
    }

    @Test
    void aFirstNodeStartsTheFleetFileAndOpensIt(FxRobot robot) throws Exception {
        robot.clickOn("#welcome-add-node");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#node-dialog").tryQuery().isPresent());
        robot.clickOn("#field-name").write("gw-a");
        // Nothing listens on port 1: the node is offline, which is what the Nodes view then says.
        robot.clickOn("#field-host").write("127.0.0.1");
        robot.clickOn("#field-port").write("1");
        Button save = robot.lookup("#node-dialog-save").queryButton();
        robot.clickOn(save);
        Path fleetFile = config.resolve("fleet.json");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> stage.getTitle().startsWith("Keepwatch — "));
        Fleet saved = FleetFile.read(fleetFile);
        assertThat(saved.node("gw-a").orElseThrow().settings().port()).contains(1);
        assertThat(robot.lookup("#welcome-view").query().isVisible()).isFalse();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> Files.exists(config.resolve("settings.json")));
        assertThat(Files.readString(config.resolve("settings.json"))).contains(fleetFile.toString());
    }
}
