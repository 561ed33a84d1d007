package org.keepwatch.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One keepalived node of the fleet: its name (shown everywhere; also the ssh_config alias when no
 * host is given), its group and its own connection settings. Fields of the file this version does
 * not know travel along in {@code json}.
 */
public record FleetNode(String name, String group, ConnectionSettings settings, ObjectNode json) {

    public FleetNode {
        json = json == null ? FleetFile.object() : json.deepCopy();
    }

    public static FleetNode of(String name, String group, ConnectionSettings settings) {
        return new FleetNode(name, group, settings, null);
    }

    public FleetNode withSettings(ConnectionSettings newSettings) {
        return new FleetNode(name, group, newSettings, json);
    }

    static FleetNode parse(Path file, String where, JsonNode node) throws FleetFile.FleetFileException {
        if (node == null || !node.isObject()) {
            throw new FleetFile.FleetFileException(file, where, "expected an object with a \"name\"");
        }
        String name = FleetFile.text(node, "name").filter(n -> !n.isBlank())
                .orElseThrow(() -> new FleetFile.FleetFileException(file, where, "a node needs a \"name\""));
        String label = where + " (" + name + ")";
        return new FleetNode(name, FleetFile.text(node, "group").orElse(""), settings(file, label, node), (ObjectNode) node);
    }

    static ConnectionSettings settings(Path file, String where, JsonNode node) throws FleetFile.FleetFileException {
        Optional<String> host = FleetFile.text(node, "host").filter(h -> !h.isBlank());
        if (host.isPresent() && host.get().chars().anyMatch(Character::isWhitespace)) {
            throw new FleetFile.FleetFileException(file, where + ".host", "host \"" + host.get() + "\" contains spaces");
        }
        return new ConnectionSettings(host, FleetFile.port(file, where, node), FleetFile.text(node, "user"),
                FleetFile.text(node, "identityFile"), FleetFile.text(node, "knownHostsFile"),
                FleetFile.bool(file, where, node, "sudo"), FleetFile.text(node, "jumpHost"));
    }

    static void putSettings(ObjectNode out, ConnectionSettings settings) {
        put(out, "host", settings.host());
        settings.port().ifPresentOrElse(p -> out.put("port", p), () -> out.remove("port"));
        put(out, "user", settings.user());
        put(out, "identityFile", settings.identityFile());
        put(out, "knownHostsFile", settings.knownHostsFile());
        settings.sudo().ifPresentOrElse(s -> out.put("sudo", s), () -> out.remove("sudo"));
        put(out, "jumpHost", settings.jumpHost());
    }

    private static void put(ObjectNode out, String field, Optional<String> value) {
        value.ifPresentOrElse(v -> out.put(field, v), () -> out.remove(field));
    }

    ObjectNode toJson() {
        ObjectNode out = json.deepCopy();
        out.put("name", name);
        if (group.isEmpty()) {
            out.remove("group");
        } else {
            out.put("group", group);
        }
        putSettings(out, settings);
        return out;
    }
}
