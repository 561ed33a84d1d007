package org.keepwatch.app.editor;

import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TableView;
import org.keepwatch.app.detail.RouterDetailView;
import org.keepwatch.app.instances.InstanceRow;
import org.keepwatch.app.routers.RouterRow;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterView;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where the main window opens the editor: "Edit config…" in the Routers and Instances tables'
 * context menus, and the router detail's buttons. Kept here so the main window's views only grow a hook.
 */
public final class EditorEntryPoints {

    private EditorEntryPoints() {
    }

    public static void install(EditorWindows editors, Supplier<FleetState> state, TableView<RouterRow> routers,
                               TableView<InstanceRow> instances, RouterDetailView detail) {
        MenuItem editRouter = new MenuItem("Edit config of all members…", new FontIcon(Material2AL.EDIT));
        editRouter.setId("menu-edit-router");
        editRouter.setOnAction(e -> Optional.ofNullable(routers.getSelectionModel().getSelectedItem())
                .ifPresent(row -> openRouter(editors, state, row.view())));
        add(routers, editRouter);

        MenuItem editNode = new MenuItem("Edit config on this node…", new FontIcon(Material2AL.EDIT));
        editNode.setId("menu-edit-node");
        editNode.setOnAction(e -> Optional.ofNullable(instances.getSelectionModel().getSelectedItem()).ifPresent(row ->
                editors.openNode(new EditTarget(row.id().node(), row.id().daemon(), Optional.of(row.id().name())))));
        add(instances, editNode);

        detail.setEditActions(router -> openRouter(editors, state, router), member -> editors.openNode(target(member)));
    }

    static EditTarget target(RouterMember member) {
        return new EditTarget(member.node(), member.lastKnown().daemon(), Optional.of(member.lastKnown().name()));
    }

    private static void openRouter(EditorWindows editors, Supplier<FleetState> state, RouterView router) {
        editors.openRouter(RouterEditorViewModel.Spec.of(router, () -> state.get().router(router.key())));
    }

    private static void add(TableView<?> table, MenuItem item) {
        ContextMenu menu = table.getContextMenu() == null ? new ContextMenu() : table.getContextMenu();
        menu.getItems().addAll(new SeparatorMenuItem(), item);
        table.setContextMenu(menu);
    }
}
