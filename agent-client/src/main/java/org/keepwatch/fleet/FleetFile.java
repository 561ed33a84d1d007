package org.keepwatch.fleet;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The fleet file (JSON; the format lab/up writes): groups with defaults, nodes with per-node
 * overrides. Reading names the file, line and field of every problem; writing is atomic and keeps
 * every field this version does not know, so a newer Keepwatch's file survives an older one.
 *
 * <pre>{"version": 1, "name": "...",
 *  "groups": [{"name": "lab", "description": "...", "defaults": {"user": "root", "port": 22, ...}}],
 *  "nodes":  [{"name": "n1", "group": "lab", "host": "10.77.0.11", "port": 22, "user": "root",
 *              "identityFile": "...", "knownHostsFile": "...", "sudo": false, "jumpHost": "bastion"}]}</pre>
 */
public final class FleetFile {

    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int MAX_PORT = 65535;

    private FleetFile() {
    }

    /** A problem with a fleet file, naming the file and where in it. */
    public static final class FleetFileException extends IOException {
        public FleetFileException(Path file, String where, String problem) {
            super(file + (where.isEmpty() ? "" : " (" + where + ")") + ": " + problem);
        }
    }

    public static Fleet read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new FleetFileException(file, where, "not valid JSON: " + e.getOriginalMessage());
        } catch (MalformedInputException e) {
            throw new FleetFileException(file, "", "not UTF-8 text");
        }
        if (root == null || !root.isObject()) {
            throw new FleetFileException(file, "", "expected a JSON object with \"nodes\"");
        }
        return parse(file, (ObjectNode) root);
    }

    /** Writes the fleet to a temporary file beside the target, syncs it and renames it over. */
    public static void write(Path file, Fleet fleet) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, "." + file.getFileName() + ".", ".tmp");
        try {
            byte[] bytes = JSON.writeValueAsBytes(fleet.toJson());
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(directory);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the rename itself is still atomic.
        }
    }

    static Fleet parse(Path file, ObjectNode root) throws FleetFileException {
        JsonNode version = root.path("version");
        if (!version.isMissingNode() && (!version.canConvertToInt() || version.asInt() > VERSION)) {
            throw new FleetFileException(file, "version", "version " + version + " is newer than this Keepwatch reads ("
                    + VERSION + ")");
        }
        List<FleetGroup> groups = new ArrayList<>();
        Set<String> groupNames = new HashSet<>();
        JsonNode groupArray = root.path("groups");
        if (!groupArray.isMissingNode() && !groupArray.isArray()) {
            throw new FleetFileException(file, "groups", "expected a list");
        }
        for (int i = 0; i < groupArray.size(); i++) {
            FleetGroup group = FleetGroup.parse(file, "groups[" + i + "]", groupArray.get(i));
            if (!groupNames.add(group.name())) {
                throw new FleetFileException(file, "groups[" + i + "]", "group " + group.name() + " is listed twice");
            }
            groups.add(group);
        }
        JsonNode nodeArray = root.path("nodes");
        if (!nodeArray.isArray()) {
            throw new FleetFileException(file, "nodes", "expected a list of nodes");
        }
        List<FleetNode> nodes = new ArrayList<>();
        Set<String> nodeNames = new HashSet<>();
        for (int i = 0; i < nodeArray.size(); i++) {
            FleetNode node = FleetNode.parse(file, "nodes[" + i + "]", nodeArray.get(i));
            if (!nodeNames.add(node.name())) {
                throw new FleetFileException(file, "nodes[" + i + "]", "node " + node.name() + " is listed twice");
            }
            nodes.add(node);
        }
        return new Fleet(text(root, "name").orElse(""), groups, nodes, root.deepCopy());
    }

    static Optional<String> text(JsonNode object, String field) {
        JsonNode value = object.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    static Optional<Integer> port(Path file, String where, JsonNode object) throws FleetFileException {
        JsonNode value = object.get("port");
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.canConvertToInt() || value.asInt() < 1 || value.asInt() > MAX_PORT) {
            throw new FleetFileException(file, where + ".port", "port " + value + " is not between 1 and " + MAX_PORT);
        }
        return Optional.of(value.asInt());
    }

    static Optional<Boolean> bool(Path file, String where, JsonNode object, String field) throws FleetFileException {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isBoolean()) {
            throw new FleetFileException(file, where + "." + field, "expected true or false, found " + value);
        }
        return Optional.of(value.asBoolean());
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }
}
