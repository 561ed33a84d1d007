package org.keepwatch.cli;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of the keepwatch CLI. */
interface Command {
    /** Exit status for a command line that cannot be understood. */
    int USAGE = 64;

    String synopsis();

    String summary();

    int run(List<String> args, PrintStream out, PrintStream err);
}
