package org.keepwatch.app.navigation;

import org.keepwatch.daemons.DaemonAction;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.maintenance.MaintenancePlan;
import org.keepwatch.fleet.RouterStatus;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

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

    /**
     * The choice of which of a node's keepalived daemons to open the configuration of, as its agent knows them (a node
     * with several, or whose daemons the watched state does not say: a read-only node, one not reported yet);
     * {@code preferred} is chosen first when the agent knows it.
     */
    record ChooseDaemon(String node, Optional<String> preferred) implements Destination {
        public ChooseDaemon {
            preferred = preferred == null ? Optional.empty() : preferred;
        }
    }

    /**
     * A node's configuration backups (its keepalived daemons, the first shown first; none: those its agent knows):
     * browse, compare, restore.
     */
    record Backups(String node, List<String> daemons) implements Destination {
        public Backups {
            daemons = List.copyOf(daemons);
        }
    }

    /**
     * A node's configuration history (its keepalived daemons, the first shown first; none: those its agent knows):
     * every kept version with who made
     * it, any two compared, one restored; {@code version} selects one by its hash or a prefix of it (a hand edit's).
     */
    record ConfigHistory(String node, List<String> daemons, Optional<String> version) implements Destination {
        public ConfigHistory {
            daemons = List.copyOf(daemons);
            version = version == null ? Optional.empty() : version;
        }
    }

    /** Why a node is not connected, with Reconnect and Edit node at hand. */
    record NodeDetails(String node) implements Destination {
    }

    /**
     * A planned failover, its plan shown before anything happens: drain or undrain a node ({@code router} empty),
     * make {@code node} the router's master, or move the router's master away ({@code node} empty).
     */
    record PlanFailover(MaintenancePlan.Kind kind, Optional<String> node, Optional<RouterKey> router) implements Destination {
    }

    /** The maintenance weight's set-up on a node: what will be added to its configuration, then a push. */
    record SetUpMaintenance(String node) implements Destination {
    }

    /**
     * A daemon's log on a node (its only or first daemon when none is named), filtered on an instance when one is
     * given, and read around a moment (a transition) when one is given, else followed.
     */
    record ShowLog(String node, Optional<String> daemon, Optional<String> instance, Optional<Instant> around)
            implements Destination {
    }

    /** Start, stop, restart or reload a node's keepalived: the plan, the guard's question, the steps, the outcome. */
    record ControlDaemon(String node, DaemonAction action) implements Destination {
    }

    /**
     * The Routers and Instances tables as the fleet was at a moment, from the history (a moment in a router's timeline,
     * an event's time), clearly marked as the past until "Back to live".
     */
    record AsOf(Instant at) implements Destination {
    }

    /** The fleet entry of a node (its address, user, keys). */
    record EditFleetNode(String node) implements Destination {
    }
}
