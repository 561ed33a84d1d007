package org.keepwatch.app;

import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The real application with a damaged history: it starts, shows its window and says what is wrong with the history. */
@ExtendWith(ApplicationExtension.class)
class KeepwatchAppHistoryTest {

    private static Path config;
    private static Path history;
    private Stage stage;

    @BeforeAll
    static void aDamagedHistory() throws IOException {
        config = Files.createTempDirectory("keepwatch-config");
        history = config.resolve("history.db");
        Files.write(history, "not a database: what is left of one after a full disk\n".repeat(100).getBytes());
        System.setProperty(KeepwatchApp.CONFIG_DIR_PROPERTY, config.toString());
    }

    @AfterAll
    static void forget() {
        System.clearProperty(KeepwatchApp.CONFIG_DIR_PROPERTY);
    }

    @Start
    void start(Stage stage) {
        this.stage = stage;
        new KeepwatchApp().start(stage);
    }

    @Test
    void startsAndSaysTheHistoryIsDamagedNamingTheFile(FxRobot robot) throws Exception {
        assertThat(stage.isShowing()).isTrue();
        assertThat(robot.lookup("#welcome-view").query().isVisible()).isTrue();
        Label problem = robot.lookup("#problem-line").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !problem.getText().isEmpty());
        assertThat(problem.getText()).contains(history.toString(), "damaged", "watching goes on without history");
        assertThat(Files.readString(history)).startsWith("not a database"); // left for the operator to look at
    }
}
