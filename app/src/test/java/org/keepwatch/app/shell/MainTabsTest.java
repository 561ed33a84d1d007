package org.keepwatch.app.shell;

import javafx.scene.layout.Pane;
import org.junit.jupiter.api.Test;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The main views' registry: a new tab is one registration, shown in the order registered. */
class MainTabsTest {

    @Test
    void viewsKeepTheOrderTheyWereRegisteredInAndAreFoundByTheirId() {
        Pane routers = new Pane();
        MainTabs tabs = new MainTabs()
                .register("tab-routers", "Routers", Material2MZ.ROUTER, routers)
                .register("tab-events", "Events", Material2AL.EVENT_NOTE, new Pane());
        tabs.register(new MainTabs.Tab("tab-history", "History", Material2AL.HISTORY, new Pane()));

        assertThat(tabs.all()).extracting(MainTabs.Tab::id).containsExactly("tab-routers", "tab-events", "tab-history");
        assertThat(tabs.find("tab-routers")).get().extracting(MainTabs.Tab::content).isSameAs(routers);
        assertThat(tabs.find("tab-nodes")).isEmpty();
    }

    @Test
    void anIdIsRegisteredOnce() {
        MainTabs tabs = new MainTabs().register("tab-nodes", "Nodes", Material2AL.DNS, new Pane());
        assertThatThrownBy(() -> tabs.register("tab-nodes", "Nodes again", Material2AL.DNS, new Pane()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tab-nodes");
        assertThat(tabs.all()).hasSize(1);
    }
}
