package org.keepwatch.fleet.bench;

import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetFile;
import org.keepwatch.fleet.FleetGroup;
import org.keepwatch.fleet.FleetNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fleets built from the lab's own fleet file. A large fleet is the lab's five nodes repeated: copy
 * {@code k} of node {@code n1} is {@code n1-k} in group {@code lab-k}, with n1's host, key and
 * known_hosts. Each copy gets groups of its own so its routers stay what the lab's are (one MASTER,
 * HEALTHY) instead of one router with a hundred MASTERs.
 */
final class LabFleets {

    private LabFleets() {
    }

    static Fleet lab(Path fleetFile) throws IOException {
        return FleetFile.read(fleetFile);
    }

    /** {@code copies} times every node of the lab fleet: 5 x copies sessions. */
    static Fleet replicated(Path fleetFile, int copies) throws IOException {
        Fleet lab = FleetFile.read(fleetFile);
        List<FleetGroup> groups = new ArrayList<>();
        List<FleetNode> nodes = new ArrayList<>();
        String width = "%0" + String.valueOf(copies).length() + "d";
        for (int copy = 1; copy <= copies; copy++) {
            String suffix = "-" + String.format(width, copy);
            for (FleetGroup group : lab.groups()) {
                groups.add(FleetGroup.named(group.name() + suffix, group.description()));
            }
            for (FleetNode node : lab.nodes()) {
                // Effective settings: a group's defaults would otherwise be lost with the renamed group.
                nodes.add(FleetNode.of(node.name() + suffix, node.group() + suffix, lab.effectiveSettings(node)));
            }
        }
        return new Fleet(lab.name() + " x" + copies, groups, nodes, null);
    }
}
