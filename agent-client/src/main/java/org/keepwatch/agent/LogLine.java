package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One line of a keepalived daemon's log as the agent read it: its time (none for a line that carries none), level
 * (syslog's names, {@code err} to {@code debug}), the VRRP instance it is about, and its text.
 */
public record LogLine(Optional<Instant> time, String level, Optional<String> instance, String text, Optional<Integer> pid) {

    /** Syslog's levels, most severe first, as the agent names them. */
    public static final List<String> LEVELS = List.of("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug");
    /** What keepalived logs when asked for a dump (SIGJSON, SIGUSR1): the agent asks every 30 s and on each change. */
    private static final Pattern DUMP_ASKED = Pattern.compile("Printing VRRP (as json|data) for process\\(\\d+\\) on signal");

    public static LogLine of(JsonNode line) {
        Optional<Instant> time = line.hasNonNull("ts")
                ? Optional.of(Instant.ofEpochMilli(Math.round(line.get("ts").asDouble() * 1000))) : Optional.empty();
        return new LogLine(time, line.path("level").asText("info"),
                line.hasNonNull("instance") ? Optional.of(line.get("instance").asText()) : Optional.empty(),
                line.path("text").asText(), line.hasNonNull("pid") ? Optional.of(line.get("pid").asInt()) : Optional.empty());
    }

    public static List<LogLine> listOf(JsonNode lines) {
        List<LogLine> out = new ArrayList<>();
        lines.forEach(l -> out.add(of(l)));
        return out;
    }

    /** The lines of a {@code log} event of this follow, or none when the event is another follow's. */
    public static List<LogLine> ofEvent(JsonNode event, int follow) {
        return event.path("follow").asInt(-1) == follow ? listOf(event.path("lines")) : List.of();
    }

    /**
     * keepalived saying it was asked for a dump: on a node Keepwatch watches, the agent's own doing, and most of a quiet
     * daemon's log.
     */
    public boolean dumpAsked() {
        return DUMP_ASKED.matcher(text).matches();
    }

    /** At least as severe as {@code lowest} (a name from {@link #LEVELS}). */
    public boolean atLeast(String lowest) {
        int mine = LEVELS.indexOf(level);
        int bound = LEVELS.indexOf(lowest);
        return bound < 0 || mine >= 0 && mine <= bound;
    }
}
