package org.keepwatch.settings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * ~/.config/keepwatch/settings.json ($XDG_CONFIG_HOME respected): read leniently (a broken file
 * gives the defaults and a warning), written atomically, unknown fields kept.
 */
public final class SettingsStore {

    private static final Logger log = LoggerFactory.getLogger(SettingsStore.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Path directory;

    public SettingsStore(Path directory) {
        this.directory = directory;
    }

    public static Path defaultDirectory() {
        String config = System.getenv("XDG_CONFIG_HOME");
        Path base = config == null || config.isBlank() ? Path.of(System.getProperty("user.home"), ".config") : Path.of(config);
        return base.resolve("keepwatch");
    }

    public Path directory() {
        return directory;
    }

    public Path fleetFile() {
        return directory.resolve("fleet.json");
    }

    public Settings load() {
        Path file = directory.resolve("settings.json");
        if (!Files.exists(file)) {
            return Settings.DEFAULTS;
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            Optional<String> last = Optional.ofNullable(root.path("lastFleet").textValue());
            Settings.Theme theme = Settings.Theme.valueOf(root.path("theme").asText(Settings.Theme.SYSTEM.name()));
            return new Settings(last, theme);
        } catch (IOException | IllegalArgumentException e) {
            log.warn("{} cannot be read ({}); using the defaults", file, e.getMessage());
            return Settings.DEFAULTS;
        }
    }

    public void save(Settings settings) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.resolve("settings.json");
        ObjectNode root = Files.exists(file) ? readObject(file) : JSON.createObjectNode();
        settings.lastFleet().ifPresentOrElse(f -> root.put("lastFleet", f), () -> root.remove("lastFleet"));
        root.put("theme", settings.theme().name());
        Path temporary = Files.createTempFile(directory, ".settings.", ".tmp");
        try {
            Files.write(temporary, JSON.writeValueAsBytes(root));
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static ObjectNode readObject(Path file) {
        try {
            JsonNode node = JSON.readTree(file.toFile());
            return node instanceof ObjectNode object ? object : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
