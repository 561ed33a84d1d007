package org.keepwatch.app.alarms;

import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.keepwatch.app.common.Presentation;
import org.keepwatch.app.pulse.FleetBatch;
import org.keepwatch.app.pulse.FleetListener;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.RouterKey;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Alarms that are on now: one per router, raised once per incident (the fleet state confirms them
 * before it raises them), cleared when the router is healthy again. Feeds the banner and the
 * desktop notification.
 */
public final class AlarmsViewModel implements FleetListener {

    private final Map<RouterKey, FleetEvent.Alarm> active = new LinkedHashMap<>();
    private final ObservableList<FleetEvent.Alarm> alarms = FXCollections.observableArrayList();
    private final ObservableList<FleetEvent.Alarm> alarmsView = FXCollections.unmodifiableObservableList(alarms);
    private final AlarmNotifier notifier;
    private final StringBinding headline;
    private final BooleanBinding any;

    public AlarmsViewModel(AlarmNotifier notifier) {
        this.notifier = notifier;
        any = Bindings.isNotEmpty(alarms);
        headline = Bindings.createStringBinding(this::describe, alarms);
    }

    @Override
    public void onBatch(FleetBatch batch) {
        boolean changed = false;
        for (FleetEvent event : batch.events()) {
            if (event instanceof FleetEvent.Alarm alarm) {
                if (alarm.raised()) {
                    active.put(alarm.router(), alarm);
                    notifier.raised(alarm);
                } else if (active.get(alarm.router()) != null && active.get(alarm.router()).verdict() == alarm.verdict()) {
                    active.remove(alarm.router());
                    notifier.cleared(alarm);
                }
                changed = true;
            } else if (event instanceof FleetEvent.RouterRemoved removed) {
                changed |= active.remove(removed.router()) != null;
            }
        }
        if (changed) {
            alarms.setAll(active.values());
        }
    }

    /** Forget everything (another fleet was opened). */
    public void clear() {
        active.clear();
        alarms.clear();
    }

    public ObservableList<FleetEvent.Alarm> alarms() {
        return alarmsView;
    }

    public BooleanBinding anyProperty() {
        return any;
    }

    public StringBinding headlineProperty() {
        return headline;
    }

    private String describe() {
        if (alarms.isEmpty()) {
            return "";
        }
        FleetEvent.Alarm first = alarms.get(0);
        String what = Presentation.of(first.verdict()).text() + " on " + first.router().label()
                + (first.reasons().isEmpty() ? "" : ": " + first.reasons().get(0));
        return alarms.size() == 1 ? what : what + "  (and " + (alarms.size() - 1) + " more)";
    }

    public static String advice(FleetEvent.Alarm alarm) {
        return Presentation.advice(alarm.verdict());
    }
}
