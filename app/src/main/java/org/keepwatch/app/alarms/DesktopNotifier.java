package org.keepwatch.app.alarms;

import javafx.stage.Window;
import javafx.util.Duration;
import org.controlsfx.control.Notifications;
import org.keepwatch.app.common.Presentation;
import org.keepwatch.fleet.FleetEvent;

import java.util.function.Supplier;

/** A ControlsFX notification in the screen's corner, with what happened and what to do. */
public final class DesktopNotifier implements AlarmNotifier {

    private static final Duration SHOWN_FOR = Duration.seconds(15);
    private final Supplier<Window> owner;

    public DesktopNotifier(Supplier<Window> owner) {
        this.owner = owner;
    }

    @Override
    public void raised(FleetEvent.Alarm alarm) {
        Window window = owner.get();
        if (window == null || !window.isShowing()) {
            return;
        }
        Notifications.create()
                .owner(window)
                .title("Keepwatch: " + Presentation.of(alarm.verdict()).text() + " on " + alarm.router().label())
                .text(String.join("\n", alarm.reasons()) + "\n\n" + Presentation.advice(alarm.verdict()))
                .hideAfter(SHOWN_FOR)
                .showError();
    }
}
