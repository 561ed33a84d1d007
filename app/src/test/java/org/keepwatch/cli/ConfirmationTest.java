package org.keepwatch.cli;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** An action is done only when --yes says so or the operator answers yes on the terminal. */
class ConfirmationTest {

    private final ByteArrayOutputStream said = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(said, true, StandardCharsets.UTF_8);

    private static Arguments args(String... given) {
        return new Arguments(List.of(given), FleetConnection.FLAGS, FleetConnection.VALUED);
    }

    private static Confirmation typing(String input) {
        return new Confirmation(Optional.of(new BufferedReader(new StringReader(input))));
    }

    @Test
    void yesOnTheCommandLineNeedsNobody() {
        assertThat(Confirmation.nobody().confirmed(args("--yes"), "Drain n1?", err)).isTrue();
        assertThat(said.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void withoutATerminalNothingIsDoneAndTheWordsSayHowToAct() {
        assertThat(Confirmation.nobody().confirmed(args(), "Drain n1?", err)).isFalse();
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("nothing done", "--yes");
    }

    @Test
    void onlyYOrYesOnTheTerminalConfirms() {
        assertThat(typing("y\n").confirmed(args(), "Drain n1?", err)).isTrue();
        assertThat(typing(" YES \n").confirmed(args(), "Drain n1?", err)).isTrue();
        assertThat(typing("\n").confirmed(args(), "Drain n1?", err)).as("the default is no").isFalse();
        assertThat(typing("yep\n").confirmed(args(), "Drain n1?", err)).isFalse();
        assertThat(typing("").confirmed(args(), "Drain n1?", err)).as("end of input").isFalse();
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("Drain n1? [y/N]", "nothing done: not confirmed");
    }
}
