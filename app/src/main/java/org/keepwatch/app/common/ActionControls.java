package org.keepwatch.app.common;

import javafx.geometry.Side;
import javafx.scene.control.Button;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import org.kordamp.ikonli.javafx.FontIcon;

import java.util.List;

/** Buttons and menu items made from {@link Action}s, bound to their state. */
public final class ActionControls {

    private ActionControls() {
    }

    public static Button button(Action action) {
        Button button = new Button(action.text(), action.icon().map(FontIcon::new).orElse(null));
        button.setId(action.id());
        // why it is refused now, when it is (a read-only node), else what it does
        tooltip(button, action);
        action.why().addListener((obs, old, why) -> tooltip(button, action));
        button.disableProperty().bind(action.disabled());
        button.visibleProperty().bind(action.visible());
        button.managedProperty().bind(action.visible());
        if (action.menu().isEmpty()) {
            button.setOnAction(e -> action.fire());
        } else {
            ContextMenu menu = new ContextMenu();
            menu.getItems().setAll(menuItems(action.menu()));
            button.setContentDisplay(ContentDisplay.RIGHT);
            button.setOnAction(e -> menu.show(button, Side.BOTTOM, 0, 0));
            button.setContextMenu(menu);   // a right-click opens it too; and its items are reachable from the button
        }
        return button;
    }

    private static void tooltip(Button button, Action action) {
        String text = action.why().get().isEmpty() ? action.tooltip() : action.why().get();
        if (text.isEmpty()) {
            button.setTooltip(null);
        } else if (button.getTooltip() == null) {
            button.setTooltip(Tooltips.wrapping(text));
        } else {
            button.getTooltip().setText(text);
        }
    }

    public static MenuItem menuItem(Action action) {
        if (action.isSeparator()) {
            return new SeparatorMenuItem();
        }
        MenuItem item = new MenuItem(action.text(), action.icon().map(FontIcon::new).orElse(null));
        item.setId(action.id());
        item.disableProperty().bind(action.disabled());
        item.visibleProperty().bind(action.visible());
        item.setOnAction(e -> action.fire());
        return item;
    }

    public static List<MenuItem> menuItems(List<Action> actions) {
        return actions.stream().map(ActionControls::menuItem).toList();
    }
}
