package org.keepwatch.app;

import javafx.application.Application;

/**
 * Plain entry point. A main class that does not extend {@link Application} lets the app start from
 * the classpath (java -cp ... or java -jar) without JavaFX on the module path.
 */
public final class Launcher {

    private Launcher() {
    }

    public static void main(String[] args) {
        Application.launch(KeepwatchApp.class, args);
    }
}
