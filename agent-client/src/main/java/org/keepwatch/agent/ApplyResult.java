package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@code config.apply} that succeeded: {@code applied} (written, reloaded, healthy) or {@code unchanged}
 * (the candidate equals the file). Failures arrive as {@link AgentException}s with their code instead.
 * {@code path}, the hashes and {@code backup} are those of the first file; {@code files} has every file of an
 * apply of several.
 */
public record ApplyResult(String result, String path, String oldSha256, String newSha256, Optional<String> backup,
                          List<CheckResult.Message> warnings, List<FileResult> files) {

    /** One file of the apply: its hashes before and after, and where its previous version is kept. */
    public record FileResult(String path, String oldSha256, String newSha256, Optional<String> backup) {
    }

    public ApplyResult {
        warnings = List.copyOf(warnings);
        files = List.copyOf(files);
    }

    public boolean applied() {
        return "applied".equals(result);
    }

    /** The backups of every file that was written, in the order of the files. */
    public List<String> backups() {
        return files.stream().flatMap(f -> f.backup().stream()).toList();
    }

    public static ApplyResult of(JsonNode result) {
        List<FileResult> files = new ArrayList<>();
        result.path("files").forEach(f -> files.add(file(f)));
        if (files.isEmpty()) {
            files.add(file(result));
        }
        FileResult first = files.get(0);
        return new ApplyResult(result.path("result").asText(), first.path(), first.oldSha256(), first.newSha256(),
                first.backup(), CheckResult.diagnostics(result.path("check").path("diagnostics")), files);
    }

    private static FileResult file(JsonNode f) {
        JsonNode backup = f.get("backup");
        String oldSha = f.path("old_sha256").asText(f.path("sha256").asText(""));
        return new FileResult(f.path("path").asText(), oldSha, f.path("new_sha256").asText(oldSha),
                backup == null || backup.isNull() ? Optional.empty() : Optional.of(backup.asText()));
    }
}
