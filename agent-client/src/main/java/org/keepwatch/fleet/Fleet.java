package org.keepwatch.fleet;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The nodes and groups Keepwatch watches: an immutable value; edits return a new fleet. */
public record Fleet(String name, List<FleetGroup> groups, List<FleetNode> nodes, ObjectNode json) {

    public Fleet {
        groups = List.copyOf(groups);
        nodes = List.copyOf(nodes);
        json = json == null ? FleetFile.object() : json.deepCopy();
    }

    public static Fleet empty() {
        return new Fleet("", List.of(), List.of(), null);
    }

    public Optional<FleetNode> node(String nodeName) {
        return nodes.stream().filter(n -> n.name().equals(nodeName)).findFirst();
    }

    public Optional<FleetGroup> group(String groupName) {
        return groups.stream().filter(g -> g.name().equals(groupName)).findFirst();
    }

    /** A node's settings with its group's defaults filled in. */
    public ConnectionSettings effectiveSettings(FleetNode node) {
        return node.settings().over(group(node.group()).map(FleetGroup::defaults).orElse(ConnectionSettings.NONE));
    }

    /** Adds the node, or replaces the one with the same name (keeping its unknown fields). */
    public Fleet withNode(FleetNode node) {
        List<FleetNode> result = new ArrayList<>(nodes);
        int index = indexOf(node.name());
        if (index >= 0) {
            ObjectNode merged = nodes.get(index).json().deepCopy();
            merged.setAll(node.json());
            result.set(index, new FleetNode(node.name(), node.group(), node.settings(), merged));
        } else {
            result.add(node);
        }
        return new Fleet(name, groups, result, json);
    }

    public Fleet withoutNode(String nodeName) {
        return new Fleet(name, groups, nodes.stream().filter(n -> !n.name().equals(nodeName)).toList(), json);
    }

    public Fleet withGroup(FleetGroup group) {
        List<FleetGroup> result = new ArrayList<>(groups);
        result.removeIf(g -> g.name().equals(group.name()));
        result.add(group);
        return new Fleet(name, result, nodes, json);
    }

    /** Removes a group; its nodes stay, without a group. */
    public Fleet withoutGroup(String groupName) {
        List<FleetNode> regrouped = nodes.stream().map(n -> n.group().equals(groupName)
                ? new FleetNode(n.name(), "", n.settings(), n.json()) : n).toList();
        return new Fleet(name, groups.stream().filter(g -> !g.name().equals(groupName)).toList(), regrouped, json);
    }

    private int indexOf(String nodeName) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).name().equals(nodeName)) {
                return i;
            }
        }
        return -1;
    }

    ObjectNode toJson() {
        ObjectNode out = json.deepCopy();
        out.put("version", FleetFile.VERSION);
        out.put("name", name);
        ArrayNode groupArray = FleetFile.array();
        groups.forEach(g -> groupArray.add(g.toJson()));
        out.set("groups", groupArray);
        ArrayNode nodeArray = FleetFile.array();
        nodes.forEach(n -> nodeArray.add(n.toJson()));
        out.set("nodes", nodeArray);
        return out;
    }
}
