package org.keepwatch.cli;

import org.junit.jupiter.api.Test;
import org.keepwatch.agent.LogQuery;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogsCommandTest {

    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

    private static LogQuery query(String... args) {
        return LogsCommand.query(new Arguments(List.of(args), Set.of("--follow"),
                Set.of("--instance", "--grep", "--since", "--lines", "--level")), NOW);
    }

    @Test
    void sinceTakesAgesInstantsAndEpochSeconds() {
        assertThat(LogsCommand.time("10m", NOW)).isEqualTo(Instant.parse("2026-12-05T09:50:00Z"));
        assertThat(LogsCommand.time("2h", NOW)).isEqualTo(Instant.parse("2026-12-05T08:00:00Z"));
        assertThat(LogsCommand.time("1d", NOW)).isEqualTo(Instant.parse("2026-12-04T10:00:00Z"));
        assertThat(LogsCommand.time("2026-12-05T09:21:00Z", NOW)).isEqualTo(Instant.parse("2026-12-05T09:21:00Z"));
        assertThat(LogsCommand.time("1796462483.25", NOW)).isEqualTo(Instant.ofEpochMilli(1796462483250L));
        assertThatThrownBy(() -> LogsCommand.time("yesterday", NOW)).isInstanceOf(UsageException.class)
                .hasMessageContaining("not yesterday");
    }

    @Test
    void theFiltersGoToTheQueryAndBadOnesAreUsageErrors() {
        LogQuery q = query("--instance", "VI_1", "--level", "warning", "--grep", "fault", "--lines", "50", "--since", "5m");
        assertThat(q).isEqualTo(new LogQuery(50, Optional.of(Instant.parse("2026-12-05T09:55:00Z")), Optional.empty(),
                Optional.of("VI_1"), Optional.of("warning"), Optional.of("fault")));
        assertThat(query().lines()).isEqualTo(LogQuery.DEFAULT_LINES);
        assertThatThrownBy(() -> query("--level", "loud")).isInstanceOf(UsageException.class).hasMessageContaining("err, warning");
        assertThatThrownBy(() -> query("--lines", "0")).isInstanceOf(UsageException.class).hasMessageContaining("between 1 and 5000");
        assertThatThrownBy(() -> query("--lines", "many")).isInstanceOf(UsageException.class);
    }
}
