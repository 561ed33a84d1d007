package org.keepwatch.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code keepwatch COMMAND ...}: dispatches to one {@link Command} per subcommand. New subcommands
 * (status, ...) register in {@link #commands()}.
 */
public final class Main {
    private Main() {
    }

    static Map<String, Command> commands() {
        Map<String, Command> commands = new LinkedHashMap<>();
        commands.put("lint", new LintCommand());
        commands.put("edit", new EditCommand());
        commands.put("show", new ShowCommand());
        commands.put("peers", new PeersCommand());
        commands.put("status", new StatusCommand());
        return commands;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, Command> commands = commands();
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            usage(commands, args.length == 0 ? err : out);
            return args.length == 0 ? Command.USAGE : 0;
        }
        Command command = commands.get(args[0]);
        if (command == null) {
            err.println("keepwatch: unknown command '" + args[0] + "'");
            usage(commands, err);
            return Command.USAGE;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            return command.run(rest, out, err);
        } catch (UsageException e) {
            err.println("keepwatch " + args[0] + ": " + e.getMessage());
            err.println("usage: keepwatch " + args[0] + " " + command.synopsis());
            return Command.USAGE;
        }
    }

    private static void usage(Map<String, Command> commands, PrintStream to) {
        to.println("usage: keepwatch COMMAND [ARGS]");
        commands.forEach((name, c) -> to.printf("  %-6s %s%n         %s%n", name, c.synopsis(), c.summary()));
    }
}
