package org.keepwatch.app.navigation;

import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.collections.FXCollections;
import javafx.collections.ObservableSet;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Cross-view navigation: a view asks to go somewhere ({@link Destination}), the part of the app that can take the
 * operator there registered for it. One handler per kind of destination; what nobody handles is not offered
 * ({@link #canGo}). FX thread only.
 */
public final class Navigator {

    private final Map<Class<? extends Destination>, Consumer<Destination>> handlers = new HashMap<>();
    private final ObservableSet<Class<? extends Destination>> handled = FXCollections.observableSet();

    /** Who takes the operator to a kind of destination; registering the same kind twice is a wiring mistake. */
    public <D extends Destination> void register(Class<D> kind, Consumer<? super D> handler) {
        Objects.requireNonNull(handler, "handler");
        if (handlers.putIfAbsent(kind, destination -> handler.accept(kind.cast(destination))) != null) {
            throw new IllegalStateException(kind.getSimpleName() + " already has a handler");
        }
        handled.add(kind);
    }

    /** Goes there; false when nothing is registered for it (a window built without that part). */
    public boolean go(Destination destination) {
        Consumer<Destination> handler = handlers.get(destination.getClass());
        if (handler == null) {
            return false;
        }
        handler.accept(destination);
        return true;
    }

    /** Whether a kind of destination can be reached: binds an action's visibility. */
    public BooleanBinding canGo(Class<? extends Destination> kind) {
        return Bindings.createBooleanBinding(() -> handled.contains(kind), handled);
    }
}
