package org.keepwatch.app.alarms;

import javafx.animation.PauseTransition;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import javafx.util.Duration;
import org.controlsfx.control.Notifications;
import org.keepwatch.app.common.Formats;
import org.keepwatch.app.common.Presentation;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.Verdict;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A ControlsFX notification in the corner of the window's screen, with what happened and what to do.
 * Alarms raised within a second (a partition splits every router at once) share one notification, and its
 * text wraps at a fixed width: an unwrapped advice line made the popup wider than the screen. When an alarm
 * heals, a notification that still shows it says so in place ("Healed: split brain on VRID 51 at 10:02:03");
 * one already gone is followed by a short notification of the healing.
 */
public final class DesktopNotifier implements AlarmNotifier {

    private static final Duration SHOWN_FOR = Duration.seconds(15);
    private static final Duration HEALED_SHOWN_FOR = Duration.seconds(8);
    private static final Duration GATHER_FOR = Duration.seconds(1);
    private static final double TEXT_WIDTH = 380;
    private static final int ROUTERS_NAMED = 4;
    private final Supplier<Window> owner;
    private final List<FleetEvent.Alarm> pending = new ArrayList<>();
    private final List<FleetEvent.Alarm> pendingHealed = new ArrayList<>();
    /** Notifications shown, with the alarms they tell of (and which of them healed since), newest last. */
    private final List<Shown> shown = new ArrayList<>();

    private static final class Shown {
        private final List<FleetEvent.Alarm> alarms;
        private final List<FleetEvent.Alarm> healed = new ArrayList<>();
        private final VBox box;

        Shown(List<FleetEvent.Alarm> alarms, VBox box) {
            this.alarms = alarms;
            this.box = box;
        }

        boolean showing() {
            return box.getScene() != null && box.getScene().getWindow() != null && box.getScene().getWindow().isShowing();
        }
    }

    public DesktopNotifier(Supplier<Window> owner) {
        this.owner = owner;
    }

    @Override
    public void raised(FleetEvent.Alarm alarm) {
        if (pending.isEmpty() && pendingHealed.isEmpty()) {
            // A partition's alarms arrive over a second or so (each router's verdict has its own
            // hold-down): gather them into one notification instead of a stack.
            PauseTransition gather = new PauseTransition(GATHER_FOR);
            gather.setOnFinished(e -> flush());
            gather.play();
        }
        pending.add(alarm);
    }

    @Override
    public void cleared(FleetEvent.Alarm cleared) {
        if (pending.stream().anyMatch(a -> same(a, cleared))) {
            pendingHealed.add(cleared);
            return;
        }
        shown.removeIf(s -> !s.showing());
        for (Shown s : shown) {
            if (s.alarms.stream().anyMatch(a -> same(a, cleared)) && s.healed.stream().noneMatch(h -> same(h, cleared))) {
                s.healed.add(cleared);
                s.box.getChildren().setAll(content(s.alarms, s.healed).getChildren());
                return;
            }
        }
        Window window = owner.get();
        if (window == null || !window.isShowing()) {
            return;
        }
        Notifications.create().owner(window).title("Keepwatch").graphic(healed(List.of(cleared))).hideAfter(HEALED_SHOWN_FOR).show();
    }

    private void flush() {
        List<FleetEvent.Alarm> alarms = List.copyOf(pending);
        List<FleetEvent.Alarm> healed = new ArrayList<>(pendingHealed);
        pending.clear();
        pendingHealed.clear();
        Window window = owner.get();
        if (alarms.isEmpty() || window == null || !window.isShowing()) {
            return;
        }
        VBox box = content(alarms, healed);
        Shown notification = new Shown(alarms, box);
        notification.healed.addAll(healed);
        shown.removeIf(s -> !s.showing());
        shown.add(notification);
        Notifications.create()
                .owner(window)
                .title("Keepwatch")
                .graphic(box)
                .hideAfter(SHOWN_FOR)
                .show();
    }

    /** The notification's body: one heading per kind of alarm, the first alarm's reasons, the advice. */
    static VBox content(List<FleetEvent.Alarm> alarms) {
        return content(alarms, List.of());
    }

    /**
     * The body once some of its alarms healed: a "Healed" heading for those, the others as before; when all healed,
     * no advice but that they did.
     */
    static VBox content(List<FleetEvent.Alarm> alarms, List<FleetEvent.Alarm> healed) {
        List<FleetEvent.Alarm> open = alarms.stream().filter(a -> healed.stream().noneMatch(h -> same(a, h))).toList();
        VBox box = new VBox(6);
        box.setPadding(new Insets(4, 8, 4, 4));
        box.setId("alarm-notification");
        headings(open, "", Material2AL.ERROR, "kw-notification-heading", box);
        if (!healed.isEmpty()) {
            box.getChildren().addAll(healed(healed).getChildren());
        }
        if (open.isEmpty()) {
            box.getChildren().add(wrapped(healed.size() == 1 ? "The router is out of that state again."
                    : "Every router of this notification is out of that state again."));
            return box;
        }
        FleetEvent.Alarm first = open.get(0);
        box.getChildren().add(wrapped(String.join("\n", first.reasons())));
        box.getChildren().add(wrapped(Presentation.advice(first.verdict())));
        return box;
    }

    /** "Healed: Split brain on VRID 51 at 10:02:03", one line per kind of alarm. */
    static VBox healed(List<FleetEvent.Alarm> healed) {
        VBox box = new VBox(6);
        box.setPadding(new Insets(4, 8, 4, 4));
        box.setId("alarm-healed");
        headings(healed, "Healed: ", Material2AL.CHECK_CIRCLE, "kw-notification-healed", box);
        return box;
    }

    private static void headings(List<FleetEvent.Alarm> alarms, String prefix, Material2AL icon, String style, VBox box) {
        Map<Verdict, List<FleetEvent.Alarm>> byVerdict = alarms.stream().collect(Collectors.groupingBy(
                FleetEvent.Alarm::verdict, LinkedHashMap::new, Collectors.toList()));
        for (Map.Entry<Verdict, List<FleetEvent.Alarm>> kind : byVerdict.entrySet()) {
            List<String> routers = kind.getValue().stream().map(a -> a.router().label()).toList();
            String named = String.join(", ", routers.subList(0, Math.min(ROUTERS_NAMED, routers.size())))
                    + (routers.size() > ROUTERS_NAMED ? " and " + (routers.size() - ROUTERS_NAMED) + " more" : "");
            String text = prefix.isEmpty() ? Presentation.of(kind.getKey()).text() + " on " + named
                    : prefix + Presentation.of(kind.getKey()).text().toLowerCase(Locale.ROOT) + " on " + named + " ended at "
                    + Formats.clock(kind.getValue().get(kind.getValue().size() - 1).at());
            Label title = wrapped(text);
            title.setGraphic(new FontIcon(icon));
            title.getStyleClass().add(style);
            box.getChildren().add(title);
        }
    }

    private static boolean same(FleetEvent.Alarm a, FleetEvent.Alarm b) {
        return a.router().equals(b.router()) && a.verdict() == b.verdict();
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
