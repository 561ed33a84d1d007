package org.keepwatch.app.maintenance;

import javafx.stage.Window;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.maintenance.MaintenanceService;

import java.util.function.Supplier;

/** Answers the views' planned-failover requests (Drain node…, Make master here, ...) with a plan dialog each. */
public final class MaintenanceWindows {

    private final MaintenanceService service;
    private final Tasks tasks;
    private final Supplier<Window> owner;

    public MaintenanceWindows(MaintenanceService service, Tasks tasks, Supplier<Window> owner) {
        this.service = service;
        this.tasks = tasks;
        this.owner = owner;
    }

    public void answer(Navigator navigator) {
        navigator.register(Destination.PlanFailover.class, this::open);
        navigator.register(Destination.SetUpMaintenance.class, this::open);
    }

    /** The dialog of one request, its plan made from the fleet as watched now. */
    public MaintenanceDialog open(Destination request) {
        MaintenanceDialog dialog = new MaintenanceDialog(new MaintenanceViewModel(service, tasks, request), owner.get());
        dialog.show();
        return dialog;
    }
}
