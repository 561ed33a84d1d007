package org.keepwatch.app.common;

import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableBooleanValue;
import javafx.beans.value.ObservableStringValue;
import org.kordamp.ikonli.Ikon;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A command a view offers, bound to view-model state: what it says, its icon, when it is disabled or hidden, and what
 * it does. Views turn actions into buttons and menu items ({@link ActionControls}); an action with a menu is a
 * button that opens it. The id becomes the control's CSS id.
 *
 * @param why why it is disabled now, in words (empty: nothing to say); its control's tooltip says it instead of
 *            {@code tooltip} while it is not empty (a node whose login has no sudo: "read-only: ...")
 */
public record Action(String id, String text, Optional<Ikon> icon, String tooltip, ObservableBooleanValue disabled,
                     ObservableBooleanValue visible, Runnable handler, List<Action> menu, ObservableStringValue why) {

    private static final ObservableStringValue NO_REASON = Bindings.createStringBinding(() -> "");

    /** A line between a menu's groups of items. */
    public static final Action SEPARATOR = new Action("", "", Optional.empty(), "", Bindings.createBooleanBinding(() -> false),
            Bindings.createBooleanBinding(() -> true), () -> { }, List.of(), Bindings.createStringBinding(() -> ""));

    public Action {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(handler, "handler");
        menu = List.copyOf(menu);
        why = why == null ? NO_REASON : why;
    }

    /** Always enabled and shown. */
    public static Action of(String id, String text, Ikon icon, Runnable handler) {
        return new Action(id, text, Optional.ofNullable(icon), "", Bindings.createBooleanBinding(() -> false),
                Bindings.createBooleanBinding(() -> true), handler, List.of(), NO_REASON);
    }

    /** A button that opens a menu of actions. */
    public static Action menu(String id, String text, Ikon icon, String tooltip, List<Action> items) {
        return new Action(id, text, Optional.ofNullable(icon), tooltip, Bindings.createBooleanBinding(() -> false),
                Bindings.createBooleanBinding(() -> true), () -> { }, items, NO_REASON);
    }

    public Action disabledWhen(ObservableBooleanValue condition) {
        return new Action(id, text, icon, tooltip, condition, visible, handler, menu, why);
    }

    /**
     * Disabled also while {@code reason} is not empty, which its tooltip then says (the node is read-only: why).
     */
    public Action refusedWhile(ObservableStringValue reason) {
        ObservableBooleanValue before = disabled;
        return new Action(id, text, icon, tooltip, Bindings.createBooleanBinding(
                () -> before.get() || !reason.get().isEmpty(), before, reason), visible, handler, menu, reason);
    }

    public Action visibleWhen(ObservableBooleanValue condition) {
        return new Action(id, text, icon, tooltip, disabled, condition, handler, menu, why);
    }

    public boolean isSeparator() {
        return this == SEPARATOR;
    }

    /** Runs the handler unless the action is disabled or hidden now (a double-click on a row is no way around it). */
    public void fire() {
        if (!disabled.get() && visible.get()) {
            handler.run();
        }
    }
}
