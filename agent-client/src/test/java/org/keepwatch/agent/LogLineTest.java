package org.keepwatch.agent;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A log line's level bound, and keepalived's words for a dump it was asked for (the agent's, every 30 s). */
class LogLineTest {

    private static LogLine line(String level, String text) {
        return new LogLine(Optional.empty(), level, Optional.empty(), text, Optional.empty());
    }

    @Test
    void keepalivedsWordsForADumpAskedForAreKnownAndNothingElseIs() {
        assertThat(line("info", "Printing VRRP as json for process(1138) on signal").dumpAsked()).isTrue();
        assertThat(line("info", "Printing VRRP data for process(491) on signal").dumpAsked()).isTrue();
        assertThat(line("info", "Printing VRRP stats for process(491) on signal").dumpAsked())
                .as("statistics are asked by someone else: the agent never does").isFalse();
        assertThat(line("notice", "(VI_1) Entering MASTER STATE").dumpAsked()).isFalse();
        assertThat(line("info", "someone wrote Printing VRRP data for process(1) on signal").dumpAsked()).isFalse();
    }

    @Test
    void atLeastIsBySeverity() {
        assertThat(line("err", "x").atLeast("notice")).isTrue();
        assertThat(line("info", "x").atLeast("notice")).isFalse();
        assertThat(line("info", "x").atLeast("no such level")).isTrue();
    }
}
