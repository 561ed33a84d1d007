package org.keepwatch.app.fleetedit;

import javafx.scene.control.TreeItem;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetGroup;
import org.keepwatch.fleet.FleetNode;

import java.util.List;

/** The fleet as a tree: each group with its nodes, then the nodes without a group. */
final class FleetTree {

    /** What a tree row stands for. */
    sealed interface Entry permits GroupEntry, NodeEntry, Ungrouped {
        String label();
    }

    record GroupEntry(String name, int nodes) implements Entry {
        @Override
        public String label() {
            return name + "  (" + nodes + (nodes == 1 ? " node)" : " nodes)");
        }
    }

    record NodeEntry(String name, String address) implements Entry {
        @Override
        public String label() {
            return address.isEmpty() ? name : name + "  " + address;
        }
    }

    record Ungrouped(int nodes) implements Entry {
        @Override
        public String label() {
            return "No group  (" + nodes + (nodes == 1 ? " node)" : " nodes)");
        }
    }

    private FleetTree() {
    }

    static TreeItem<Entry> build(Fleet fleet) {
        TreeItem<Entry> root = new TreeItem<>();
        for (FleetGroup group : fleet.groups()) {
            List<FleetNode> members = fleet.nodes().stream().filter(n -> n.group().equals(group.name())).toList();
            root.getChildren().add(branch(new GroupEntry(group.name(), members.size()), members, fleet));
        }
        List<FleetNode> loose = fleet.nodes().stream()
                .filter(n -> n.group().isEmpty() || fleet.group(n.group()).isEmpty()).toList();
        if (!loose.isEmpty()) {
            root.getChildren().add(branch(new Ungrouped(loose.size()), loose, fleet));
        }
        return root;
    }

    private static TreeItem<Entry> branch(Entry entry, List<FleetNode> nodes, Fleet fleet) {
        TreeItem<Entry> item = new TreeItem<>(entry);
        item.setExpanded(true);
        nodes.forEach(n -> item.getChildren().add(new TreeItem<>(new NodeEntry(n.name(), address(fleet, n)))));
        return item;
    }

    /** user@host:port as the fleet says it (what ~/.ssh/config adds is not shown here). */
    static String address(Fleet fleet, FleetNode node) {
        var settings = fleet.effectiveSettings(node);
        if (settings.host().isEmpty()) {
            return "";
        }
        return settings.user().map(u -> u + "@").orElse("") + settings.host().get()
                + settings.port().filter(p -> p != 22).map(p -> ":" + p).orElse("");
    }
}
