package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A daemon's configuration as {@code config.read} returned it: the main file first, then every include,
 * each with its text and the sha256 an apply must name as its base.
 */
public record ConfigFiles(String daemon, String main, List<File> files, List<String> unmatchedIncludes) {

    /** One file; {@code role} is {@code main} or {@code include}. */
    public record File(String path, String role, String text, String sha256) {

        /**
         * Whether the text round-trips to the file's bytes. The agent passes bytes that are not UTF-8 as
         * lone surrogates, which cannot be written back from Java without changing them.
         */
        public boolean exact() {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    return false;
                }
            }
            return true;
        }
    }

    public ConfigFiles {
        files = List.copyOf(files);
        unmatchedIncludes = List.copyOf(unmatchedIncludes);
    }

    public Optional<File> file(String path) {
        return files.stream().filter(f -> f.path().equals(path)).findFirst();
    }

    /** The files' bytes by path, for an in-memory parse. */
    public Map<String, byte[]> bytes() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        files.forEach(f -> out.put(f.path(), f.text().getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    /** Reads the result of {@code config.read}. */
    public static ConfigFiles of(JsonNode result) {
        List<File> files = new ArrayList<>();
        for (JsonNode file : result.path("files")) {
            files.add(new File(file.path("path").asText(), file.path("role").asText("include"), file.path("text").asText(""),
                    file.path("sha256").asText()));
        }
        List<String> unmatched = new ArrayList<>();
        result.path("unmatched_includes").forEach(u -> unmatched.add(u.isTextual() ? u.asText() : u.toString()));
        return new ConfigFiles(result.path("daemon").asText(), result.path("main").asText(), files, unmatched);
    }
}
