package org.keepwatch.app;

import atlantafx.base.theme.PrimerLight;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Stage;
import org.keepwatch.app.shell.MainView;

import java.io.InputStream;
import java.util.List;
import java.util.Objects;

/** The composition root: builds the views and wires them together. Nothing else creates long-lived objects. */
public final class KeepwatchApp extends Application {

    public static final String TITLE = "Keepwatch";
    private static final List<String> ICON_SIZES = List.of("16", "32", "48", "64", "128", "256");

    @Override
    public void start(Stage stage) {
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        MainView mainView = new MainView();
        Scene scene = new Scene(mainView.root(), 1100, 700);
        scene.getStylesheets().add(Objects.requireNonNull(
                KeepwatchApp.class.getResource("keepwatch.css"), "keepwatch.css").toExternalForm());
        stage.setTitle(TITLE);
        stage.setMinWidth(640);
        stage.setMinHeight(400);
        stage.getIcons().setAll(ICON_SIZES.stream().map(KeepwatchApp::loadIcon).toList());
        stage.setScene(scene);
        stage.show();
    }

    private static Image loadIcon(String size) {
        String resource = "/org/keepwatch/app/icons/keepwatch-" + size + ".png";
        try (InputStream in = KeepwatchApp.class.getResourceAsStream(resource)) {
            return new Image(Objects.requireNonNull(in, resource));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("app icon " + resource + " cannot be read", e);
        }
    }
}
