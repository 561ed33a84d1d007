package org.keepwatch.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What part of a daemon's log to read or follow: the last {@code lines} that pass the filters (time range, one
 * instance, the least severe level wanted, a text in any case). The filters run on the node.
 */
public record LogQuery(int lines, Optional<Instant> since, Optional<Instant> until, Optional<String> instance,
                       Optional<String> level, Optional<String> grep) {

    public static final int DEFAULT_LINES = 200;
    public static final int MAX_LINES = 5000;

    public LogQuery {
        if (lines < 1 || lines > MAX_LINES) {
            throw new IllegalArgumentException("lines must be between 1 and " + MAX_LINES + ", not " + lines);
        }
        level.ifPresent(l -> {
            if (!LogLine.LEVELS.contains(l)) {
                throw new IllegalArgumentException("level must be one of " + String.join(", ", LogLine.LEVELS) + ", not " + l);
            }
        });
        instance = instance.filter(s -> !s.isBlank());
        grep = grep.filter(s -> !s.isBlank());
    }

    public static LogQuery last(int lines) {
        return new LogQuery(lines, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The lines from {@code before} before {@code at} to {@code after} after it: "the log around this transition". */
    public static LogQuery around(Instant at, Duration before, Duration after) {
        return new LogQuery(MAX_LINES, Optional.of(at.minus(before)), Optional.of(at.plus(after)), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    public LogQuery withInstance(String name) {
        return new LogQuery(lines, since, until, Optional.ofNullable(name), level, grep);
    }

    public LogQuery withLevel(String lowest) {
        return new LogQuery(lines, since, until, instance, Optional.ofNullable(lowest), grep);
    }

    public LogQuery withGrep(String text) {
        return new LogQuery(lines, since, until, instance, level, Optional.ofNullable(text));
    }

    public LogQuery since(Instant from) {
        return new LogQuery(lines, Optional.ofNullable(from), until, instance, level, grep);
    }

    ObjectNode toArgs(ObjectNode args, boolean read) {
        if (read) {
            args.put("lines", lines);
            since.ifPresent(t -> args.put("since", t.toEpochMilli() / 1000.0));
            until.ifPresent(t -> args.put("until", t.toEpochMilli() / 1000.0));
        }
        instance.ifPresent(i -> args.put("instance", i));
        level.ifPresent(l -> args.put("level", l));
        grep.ifPresent(g -> args.put("grep", g));
        return args;
    }
}
