package org.keepwatch.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.Locale;
import java.util.Optional;

/**
 * "Do it?" on the terminal before an action: the command prints its plan, then asks here. {@code --yes} answers for
 * a script; without a terminal to ask on (cron, a pipe) the answer is no, so nothing is ever done unasked.
 */
final class Confirmation {

    private final Optional<BufferedReader> terminal;

    Confirmation(Optional<BufferedReader> terminal) {
        this.terminal = terminal;
    }

    /** The process's terminal, when it has one (System.console() is null when stdin or stdout is not one). */
    static Confirmation ofThisProcess() {
        return new Confirmation(System.console() == null ? Optional.empty()
                : Optional.of(new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset()))));
    }

    /** Nobody to ask: only --yes acts (tests, and callers that must never wait for a person). */
    static Confirmation nobody() {
        return new Confirmation(Optional.empty());
    }

    /**
     * True when the action may go on: {@code --yes} was given, or the operator answered y or yes to the question.
     * A no, an end of input or no terminal is false, with a line on {@code err} saying why nothing was done.
     */
    boolean confirmed(Arguments arguments, String question, PrintStream err) {
        if (arguments.has("--yes")) {
            return true;
        }
        if (terminal.isEmpty()) {
            err.println("nothing done: there is no terminal to ask on; give --yes to act without asking");
            return false;
        }
        err.print(question + " [y/N] ");
        err.flush();
        String answer;
        try {
            answer = terminal.get().readLine();
        } catch (IOException e) {
            answer = null;
        }
        String said = answer == null ? "" : answer.strip().toLowerCase(Locale.ROOT);
        if (said.equals("y") || said.equals("yes")) {
            return true;
        }
        err.println("nothing done: not confirmed");
        return false;
    }
}
