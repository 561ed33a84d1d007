package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The agent's configuration operations, typed: read a daemon's files, check a candidate with keepalived -t
 * on the node, apply it safely (docs/protocol.md, config.apply). Errors complete the futures with an
 * {@link AgentException} carrying the protocol's code ({@code conflict}, {@code check_failed},
 * {@code rolled_back}, ...) and its details.
 */
public final class ConfigOps {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(120);

    private final AgentSession session;

    public ConfigOps(AgentSession session) {
        this.session = session;
    }

    public CompletableFuture<ConfigFiles> read(String daemon) {
        return session.call("config.read", args(daemon), READ_TIMEOUT).thenApply(ConfigFiles::of);
    }

    /** keepalived -t on the node with {@code text} in place of {@code path} (the main file when absent); writes nothing. */
    public CompletableFuture<CheckResult> check(String daemon, Optional<String> path, String text) {
        ObjectNode args = args(daemon);
        path.ifPresent(p -> args.put("path", p));
        args.put("text", text);
        return session.call("config.check", args, CHECK_TIMEOUT).thenApply(CheckResult::of);
    }

    /**
     * keepalived -t on the node with every file of {@code candidates} (path to text) in place at once: the check
     * of an edit that spans the main file and its includes. Writes nothing.
     */
    public CompletableFuture<CheckResult> check(String daemon, Map<String, String> candidates) {
        ObjectNode args = args(daemon);
        ArrayNode files = args.putArray("files");
        candidates.forEach((path, text) -> files.addObject().put("path", path).put("text", text));
        return session.call("config.check", args, CHECK_TIMEOUT).thenApply(CheckResult::of);
    }

    /** The agent's safe apply; its steps arrive meanwhile as apply.step events on the session. */
    public CompletableFuture<ApplyResult> apply(String daemon, Optional<String> path, String text, String baseSha256, String reason) {
        ObjectNode args = args(daemon);
        path.ifPresent(p -> args.put("path", p));
        args.put("text", text);
        args.put("base_sha256", baseSha256);
        args.put("reason", reason);
        return session.call("config.apply", args, APPLY_TIMEOUT).thenApply(ApplyResult::of);
    }

    /**
     * One apply of several files of the daemon's configuration (its main file and includes): checked together,
     * written together, one reload and one health watch, and all put back if it fails (docs/protocol.md).
     */
    public CompletableFuture<ApplyResult> apply(String daemon, List<FileEdit> edits, String reason) {
        ObjectNode args = args(daemon);
        ArrayNode files = args.putArray("files");
        edits.forEach(e -> files.addObject().put("path", e.path()).put("text", e.text()).put("base_sha256", e.baseSha256()));
        args.put("reason", reason);
        return session.call("config.apply", args, APPLY_TIMEOUT).thenApply(ApplyResult::of);
    }

    /** The backups the agent keeps of one file of the daemon's configuration ({@code path}: the main file when absent). */
    public CompletableFuture<BackupList> backups(String daemon, Optional<String> path) {
        ObjectNode args = args(daemon);
        path.ifPresent(p -> args.put("path", p));
        return session.call("config.backups", args, READ_TIMEOUT).thenApply(BackupList::of);
    }

    /** One backup's text ({@code name} from {@link #backups}), to compare; writes nothing. */
    public CompletableFuture<BackupText> backup(String daemon, Optional<String> path, String name) {
        ObjectNode args = args(daemon);
        path.ifPresent(p -> args.put("path", p));
        args.put("backup", name);
        return session.call("config.backup.read", args, READ_TIMEOUT).thenApply(BackupText::of);
    }

    /**
     * Puts a backup back: the agent's safe apply with the backup's bytes (the same steps as apply.step events, the
     * same answers, an audit line with {@code op: restore} and {@code reason}); {@code baseSha256} is the file's as
     * the operator saw it.
     */
    public CompletableFuture<ApplyResult> restore(String daemon, Optional<String> path, String name, String baseSha256, String reason) {
        ObjectNode args = args(daemon);
        path.ifPresent(p -> args.put("path", p));
        args.put("backup", name);
        args.put("base_sha256", baseSha256);
        args.put("reason", reason);
        return session.call("config.restore", args, APPLY_TIMEOUT).thenApply(ApplyResult::of);
    }

    /** One file of a multi-file apply: its path on the node, its new text, and the sha256 it had when read. */
    public record FileEdit(String path, String text, String baseSha256) {
    }

    /**
     * The {@code -i} config id the daemon runs with; keepalived's default (the first label of the host name)
     * when it was started without one.
     */
    public CompletableFuture<String> configId(String daemon) {
        return session.daemons().thenApply(result -> {
            for (JsonNode d : result.path("daemons")) {
                if (d.path("name").asText().equals(daemon) && d.hasNonNull("config_id")) {
                    return d.path("config_id").asText();
                }
            }
            String host = session.hello().hostname();
            int dot = host.indexOf('.');
            return dot < 0 ? host : host.substring(0, dot);
        });
    }

    /** The diagnostics of an apply refused with {@code check_failed}. */
    public static CheckResult refusal(AgentException e) {
        return e.details().map(CheckResult::of).orElse(new CheckResult(false, 0, 0, List.of(), ""));
    }

    private ObjectNode args(String daemon) {
        return session.json().createObjectNode().put("daemon", daemon);
    }
}
