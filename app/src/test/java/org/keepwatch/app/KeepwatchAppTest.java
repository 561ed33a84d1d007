package org.keepwatch.app;

import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.kordamp.ikonli.javafx.FontIcon;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import static org.assertj.core.api.Assertions.assertThat;

/** Starts the real application on a headless stage and checks what an operator would see first. */
@ExtendWith(ApplicationExtension.class)
class KeepwatchAppTest {

    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        new KeepwatchApp().start(stage);
    }

    @Test
    void opensAWindowTitledKeepwatch() {
        assertThat(stage.isShowing()).isTrue();
        assertThat(stage.getTitle()).isEqualTo("Keepwatch");
        assertThat(stage.getScene().getRoot().getId()).isEqualTo("main-view");
    }

    @Test
    void carriesTheAppIconInEverySize() {
        assertThat(stage.getIcons()).hasSize(6);
        assertThat(stage.getIcons()).allSatisfy(icon -> assertThat(icon.isError()).isFalse());
        assertThat(stage.getIcons().get(0).getWidth()).isEqualTo(16.0);
    }

    @Test
    void showsTheEmptyStateWhenNoFleetIsOpen(FxRobot robot) {
        Label heading = robot.lookup("#empty-state-heading").queryAs(Label.class);
        assertThat(heading.getText()).isEqualTo("No fleet open");
        assertThat(heading.isVisible()).isTrue();
    }

    @Test
    void appliesTheThemeAndKeepwatchStylesheet(FxRobot robot) {
        assertThat(stage.getScene().getStylesheets()).anySatisfy(css -> assertThat(css).endsWith("keepwatch.css"));
        // Sized by keepwatch.css, not by the theme's default icon size.
        FontIcon icon = robot.lookup(".kw-empty-icon").queryAs(FontIcon.class);
        assertThat(icon.getIconSize()).isEqualTo(48);
    }
}
