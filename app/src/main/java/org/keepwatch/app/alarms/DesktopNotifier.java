package org.keepwatch.app.alarms;

import javafx.animation.PauseTransition;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import javafx.util.Duration;
import org.controlsfx.control.Notifications;
import org.keepwatch.app.common.Presentation;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.Verdict;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.function.Supplier;

/**
 * A ControlsFX notification in the corner of the window's screen, with what happened and what to do.
 * Alarms raised within a second (a partition splits every router at once) share one notification, and its
 * text wraps at a fixed width: an unwrapped advice line made the popup wider than the screen.
 */
public final class DesktopNotifier implements AlarmNotifier {

    private static final Duration SHOWN_FOR = Duration.seconds(15);
    private static final Duration GATHER_FOR = Duration.seconds(1);
    private static final double TEXT_WIDTH = 380;
    private static final int ROUTERS_NAMED = 4;
    private final Supplier<Window> owner;
    private final List<FleetEvent.Alarm> pending = new ArrayList<>();

    public DesktopNotifier(Supplier<Window> owner) {
        this.owner = owner;
    }

    @Override
    public void raised(FleetEvent.Alarm alarm) {
        if (pending.isEmpty()) {
            // A partition's alarms arrive over a second or so (each router's verdict has its own
            // hold-down): gather them into one notification instead of a stack.
            PauseTransition gather = new PauseTransition(GATHER_FOR);
            gather.setOnFinished(e -> flush());
            gather.play();
        }
        pending.add(alarm);
    }

    private void flush() {
        List<FleetEvent.Alarm> alarms = List.copyOf(pending);
        pending.clear();
        Window window = owner.get();
        if (alarms.isEmpty() || window == null || !window.isShowing()) {
            return;
        }
        Notifications.create()
                .owner(window)
                .title("Keepwatch")
                .graphic(content(alarms))
                .hideAfter(SHOWN_FOR)
                .show();
    }

    /** The notification's body: one heading per kind of alarm, the first alarm's reasons, the advice. */
    static VBox content(List<FleetEvent.Alarm> alarms) {
        FleetEvent.Alarm first = alarms.get(0);
        Map<Verdict, List<String>> routersByVerdict = alarms.stream().collect(Collectors.groupingBy(
                FleetEvent.Alarm::verdict, LinkedHashMap::new, Collectors.mapping(a -> a.router().label(), Collectors.toList())));
        VBox box = new VBox(6);
        box.setPadding(new Insets(4, 8, 4, 4));
        box.setId("alarm-notification");
        for (Map.Entry<Verdict, List<String>> kind : routersByVerdict.entrySet()) {
            List<String> routers = kind.getValue();
            String named = String.join(", ", routers.subList(0, Math.min(ROUTERS_NAMED, routers.size())))
                    + (routers.size() > ROUTERS_NAMED ? " and " + (routers.size() - ROUTERS_NAMED) + " more" : "");
            Label title = wrapped(Presentation.of(kind.getKey()).text() + " on " + named);
            title.setGraphic(new FontIcon(Material2AL.ERROR));
            title.getStyleClass().add("kw-notification-heading");
            box.getChildren().add(title);
        }
        box.getChildren().add(wrapped(String.join("\n", first.reasons())));
        box.getChildren().add(wrapped(Presentation.advice(first.verdict())));
        return box;
    }

    private static Label wrapped(String text) {
        Label label = new Label(text);
        label.setWrapText(true);
        label.setMaxWidth(TEXT_WIDTH);
        label.setPrefWidth(TEXT_WIDTH);
        label.setMinHeight(Label.USE_PREF_SIZE);
        return label;
    }
}
