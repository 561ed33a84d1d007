package org.keepwatch.app.shell;

import javafx.scene.Node;
import org.kordamp.ikonli.Ikon;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The main window's views, in the order their tabs show: a new view is one {@link #register} where the window is
 * composed, and the main view lays out whatever is registered.
 */
public final class MainTabs {

    /** One main view: its tab's CSS id (tests and navigation find it by that), title, icon and content. */
    public record Tab(String id, String title, Ikon icon, Node content) {
        public Tab {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(content, "content");
        }
    }

    private final List<Tab> tabs = new ArrayList<>();

    /** Adds a view after those registered before; an id is used once. */
    public MainTabs register(Tab tab) {
        if (find(tab.id()).isPresent()) {
            throw new IllegalArgumentException("a main view " + tab.id() + " is already registered");
        }
        tabs.add(tab);
        return this;
    }

    public MainTabs register(String id, String title, Ikon icon, Node content) {
        return register(new Tab(id, title, icon, content));
    }

    public List<Tab> all() {
        return List.copyOf(tabs);
    }

    public Optional<Tab> find(String id) {
        return tabs.stream().filter(t -> t.id().equals(id)).findFirst();
    }
}
