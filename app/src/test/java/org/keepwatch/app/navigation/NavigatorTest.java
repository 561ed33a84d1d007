package org.keepwatch.app.navigation;

import javafx.beans.binding.BooleanBinding;
import org.junit.jupiter.api.Test;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.RouterKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A view asks to go somewhere; whoever registered for that kind of destination takes the operator there. */
class NavigatorTest {

    private static final RouterKey VI_1 = new RouterKey(RouterKey.Kind.VRRP, "lab", "51");
    private final Navigator navigator = new Navigator();
    private final List<Object> went = new ArrayList<>();

    @Test
    void aDestinationGoesToTheHandlerRegisteredForItsKind() {
        navigator.register(Destination.ShowRouter.class, go -> went.add("routers tab, " + go.router().label()));
        navigator.register(Destination.EditNode.class, go -> went.add("editor of " + go.target().label()));

        assertThat(navigator.go(new Destination.ShowRouter(VI_1))).isTrue();
        assertThat(navigator.go(new Destination.EditNode(new EditTarget("n2", "keepalived", Optional.of("VI_1"))))).isTrue();
        assertThat(went).containsExactly("routers tab, " + VI_1.label(),
                "editor of " + new EditTarget("n2", "keepalived", Optional.of("VI_1")).label());
    }

    @Test
    void whatNobodyAnswersGoesNowhereAndIsNotOffered() {
        BooleanBinding canShowDetails = navigator.canGo(Destination.NodeDetails.class);
        assertThat(canShowDetails.get()).isFalse();
        assertThat(navigator.go(new Destination.NodeDetails("n3"))).isFalse();

        navigator.register(Destination.NodeDetails.class, go -> went.add(go.node()));
        assertThat(canShowDetails.get()).as("the binding follows a later registration").isTrue();
        assertThat(navigator.canGo(Destination.EditFleetNode.class).get()).isFalse();
        assertThat(navigator.go(new Destination.NodeDetails("n3"))).isTrue();
        assertThat(went).containsExactly("n3");
    }

    @Test
    void aKindHasOneHandler() {
        navigator.register(Destination.EditFleetNode.class, go -> { });
        assertThatThrownBy(() -> navigator.register(Destination.EditFleetNode.class, go -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("EditFleetNode");
    }
}
