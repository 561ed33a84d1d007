package org.keepwatch.app;

import javafx.scene.Scene;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;

/** The owner window dialog tests show their dialogs over: empty, in the light theme. */
public final class TestStages {

    private TestStages() {
    }

    public static void blankOwner(Stage stage) {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        stage.setScene(new Scene(new StackPane(), 400, 300));
        stage.show();
    }
}
