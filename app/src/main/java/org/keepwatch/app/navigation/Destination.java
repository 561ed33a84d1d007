package org.keepwatch.app.navigation;

import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterStatus;

import java.util.List;

/**
 * Where one view sends the operator in another: a value the {@link Navigator} hands to whoever registered for it.
 * The view that asks knows nothing of the view that answers.
 */
public sealed interface Destination {

    /** The Routers tab with this router selected and scrolled to (the alarm banner's "Show router"). */
    record ShowRouter(RouterKey router) implements Destination {
    }

    /** The editor of a router's configuration on all its members. */
    record EditRouter(RouterStatus router) implements Destination {
    }

    /** "Why?": a diagnosis of a router, its members listening for VRRP. */
    record Diagnose(RouterStatus router) implements Destination {
    }

    /** The editor of one node's keepalived configuration. */
    record EditNode(EditTarget target) implements Destination {
    }

    /** A node's configuration backups (its keepalived daemons, the first shown first): browse, compare, restore. */
    record Backups(String node, List<String> daemons) implements Destination {
        public Backups {
            daemons = List.copyOf(daemons);
        }
    }

    /** Why a node is not connected, with Reconnect and Edit node at hand. */
    record NodeDetails(String node) implements Destination {
    }

    /** The fleet entry of a node (its address, user, keys). */
    record EditFleetNode(String node) implements Destination {
    }
}
