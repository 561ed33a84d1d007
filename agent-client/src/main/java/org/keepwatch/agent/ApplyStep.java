package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One step of a {@code config.apply} or {@code config.restore} as the agent reports it while it happens
 * ({@code apply.step} events): lock, compare, check, backup, write, reload, health, rollback, audit, each
 * started, ok, failed or skipped, with what the step found. {@code path} is the first file of the apply,
 * {@code paths} every file (an apply of several files is one apply, with one step of each kind).
 */
public record ApplyStep(String op, String daemon, String path, List<String> paths, String step, Status status, String detail) {

    public ApplyStep {
        paths = List.copyOf(paths);
    }

    public enum Status { STARTED, OK, FAILED, SKIPPED }

    /** The step, when the event is an apply.step. */
    public static Optional<ApplyStep> of(AgentEvent event) {
        if (!(event instanceof AgentEvent.ApplyStepEvent step)) {
            return Optional.empty();
        }
        JsonNode raw = step.step();
        Status status = switch (raw.path("status").asText()) {
            case "ok" -> Status.OK;
            case "failed" -> Status.FAILED;
            case "skipped" -> Status.SKIPPED;
            default -> Status.STARTED;
        };
        String path = raw.path("path").asText();
        List<String> paths = new ArrayList<>();
        raw.path("paths").forEach(p -> paths.add(p.asText()));
        return Optional.of(new ApplyStep(raw.path("op").asText("apply"), raw.path("daemon").asText(), path,
                paths.isEmpty() ? List.of(path) : paths, raw.path("step").asText(), status, detail(raw)));
    }

    /** What the step found, in a few words: the backup's name, the check's counts, the health watch's reason. */
    static String detail(JsonNode raw) {
        List<String> parts = new ArrayList<>();
        if (raw.hasNonNull("file")) {
            parts.add(raw.path("file").asText());
        }
        if (raw.hasNonNull("message")) {
            parts.add(raw.path("message").asText());
        }
        if (raw.hasNonNull("reason")) {
            parts.add(raw.path("reason").asText());
        }
        if (raw.has("errors") || raw.has("warnings")) {
            parts.add(raw.path("errors").asInt() + " error(s), " + raw.path("warnings").asInt() + " warning(s)");
        }
        if (raw.path("files").isArray() && raw.path("files").size() > 0) {
            parts.add(perFile(raw));
        } else {
            if (raw.hasNonNull("backup")) {
                parts.add(raw.path("backup").asText());
            }
            if ("write".equals(raw.path("step").asText()) && raw.hasNonNull("sha256")) {
                parts.add("sha256 " + shortSha(raw.path("sha256").asText()));
            }
        }
        if (raw.hasNonNull("method")) {
            parts.add(raw.path("method").asText());
        }
        if ("reload".equals(raw.path("step").asText()) && raw.hasNonNull("pid")) {
            parts.add("keepalived pid " + raw.path("pid").asInt());
        }
        if (raw.hasNonNull("window_s")) {
            parts.add("watching " + raw.path("window_s").asDouble() + " s");
        }
        if (raw.path("instances").isArray() && raw.path("instances").size() > 0) {
            List<String> states = new ArrayList<>();
            raw.path("instances").forEach(i -> states.add(i.path("instance").asText() + " " + i.path("state").asText()
                    + (i.has("effective_priority") ? " " + i.path("effective_priority").asInt() : "")));
            parts.add(String.join(", ", states));
        }
        if (raw.path("daemon_alive").isBoolean() && !raw.path("daemon_alive").asBoolean()) {
            parts.add("keepalived is not running");
        }
        return String.join("; ", parts);
    }

    /** A step of an apply of several files, file by file: "keepalived.conf 20261126T...conf, peers.conf ...". */
    private static String perFile(JsonNode raw) {
        List<String> files = new ArrayList<>();
        for (JsonNode f : raw.path("files")) {
            String name = f.path("path").asText();
            name = name.substring(name.lastIndexOf('/') + 1);
            if (f.hasNonNull("backup")) {
                files.add(name + " " + f.path("backup").asText());
            } else if ("write".equals(raw.path("step").asText()) && f.hasNonNull("sha256")) {
                files.add(name + " sha256 " + shortSha(f.path("sha256").asText()));
            } else {
                files.add(name);
            }
        }
        return String.join(", ", files);
    }

    private static String shortSha(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) : sha;
    }
}
