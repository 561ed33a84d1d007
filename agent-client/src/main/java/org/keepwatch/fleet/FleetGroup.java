package org.keepwatch.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;

/** A named set of nodes (one VRRP network, one site) with connection defaults for its nodes. */
public record FleetGroup(String name, String description, ConnectionSettings defaults, ObjectNode json) {

    public FleetGroup {
        json = json == null ? FleetFile.object() : json.deepCopy();
    }

    public static FleetGroup named(String name, String description) {
        return new FleetGroup(name, description, ConnectionSettings.NONE, null);
    }

    static FleetGroup parse(Path file, String where, JsonNode node) throws FleetFile.FleetFileException {
        if (node == null || !node.isObject()) {
            throw new FleetFile.FleetFileException(file, where, "expected an object with a \"name\"");
        }
        String name = FleetFile.text(node, "name").filter(n -> !n.isBlank())
                .orElseThrow(() -> new FleetFile.FleetFileException(file, where, "a group needs a \"name\""));
        JsonNode defaults = node.path("defaults");
        ConnectionSettings settings = defaults.isObject()
                ? FleetNode.settings(file, where + ".defaults", defaults) : ConnectionSettings.NONE;
        return new FleetGroup(name, FleetFile.text(node, "description").orElse(""), settings, (ObjectNode) node);
    }

    ObjectNode toJson() {
        ObjectNode out = json.deepCopy();
        out.put("name", name);
        out.put("description", description);
        ObjectNode defaultsJson = out.has("defaults") && out.get("defaults").isObject()
                ? (ObjectNode) out.get("defaults") : FleetFile.object();
        FleetNode.putSettings(defaultsJson, defaults);
        if (defaultsJson.isEmpty()) {
            out.remove("defaults");
        } else {
            out.set("defaults", defaultsJson);
        }
        return out;
    }
}
