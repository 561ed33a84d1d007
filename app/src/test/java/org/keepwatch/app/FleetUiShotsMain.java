package org.keepwatch.app;

/** Starts {@link FleetUiShots} from the class path (a main class that is an Application needs JavaFX as modules). */
public final class FleetUiShotsMain {

    private FleetUiShotsMain() {
    }

    public static void main(String[] args) {
        FleetUiShots.main(args);
    }
}
