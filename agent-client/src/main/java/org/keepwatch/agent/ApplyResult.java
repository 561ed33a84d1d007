package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Optional;

/**
 * A {@code config.apply} that succeeded: {@code applied} (written, reloaded, healthy) or {@code unchanged}
 * (the candidate equals the file). Failures arrive as {@link AgentException}s with their code instead.
 */
public record ApplyResult(String result, String path, String oldSha256, String newSha256, Optional<String> backup,
                          List<CheckResult.Diagnostic> warnings) {

    public ApplyResult {
        warnings = List.copyOf(warnings);
    }

    public boolean applied() {
        return "applied".equals(result);
    }

    public static ApplyResult of(JsonNode result) {
        JsonNode backup = result.get("backup");
        String oldSha = result.path("old_sha256").asText(result.path("sha256").asText(""));
        return new ApplyResult(result.path("result").asText(), result.path("path").asText(), oldSha,
                result.path("new_sha256").asText(oldSha), backup == null || backup.isNull() ? Optional.empty() : Optional.of(backup.asText()),
                CheckResult.diagnostics(result.path("check").path("diagnostics")));
    }
}
