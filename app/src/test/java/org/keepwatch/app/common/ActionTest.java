package org.keepwatch.app.common;

import javafx.beans.property.SimpleBooleanProperty;
import org.junit.jupiter.api.Test;
import org.kordamp.ikonli.material2.Material2MZ;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** An action runs only while its view-model state allows it, however it is fired (a button, a double-click). */
class ActionTest {

    @Test
    void firesOnlyWhenEnabledAndShown() {
        List<String> ran = new ArrayList<>();
        SimpleBooleanProperty nothingSelected = new SimpleBooleanProperty(true);
        SimpleBooleanProperty editorThere = new SimpleBooleanProperty(false);
        Action reconnect = Action.of("reconnect-button", "Reconnect", Material2MZ.REFRESH, () -> ran.add("reconnect"))
                .disabledWhen(nothingSelected).visibleWhen(editorThere);

        reconnect.fire();
        editorThere.set(true);
        reconnect.fire();
        assertThat(ran).as("hidden, then disabled").isEmpty();
        nothingSelected.set(false);
        reconnect.fire();
        assertThat(ran).containsExactly("reconnect");
        assertThat(reconnect.id()).isEqualTo("reconnect-button");
        assertThat(reconnect.icon()).contains(Material2MZ.REFRESH);
    }
}
