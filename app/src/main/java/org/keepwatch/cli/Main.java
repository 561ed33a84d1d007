package org.keepwatch.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code keepwatch COMMAND ...}: dispatches to one {@link Command} per subcommand. New subcommands
 * (status, ...) register in {@link #commands()}.
 *
 * <p>The command-line tool is the product's second front end: it sits in the app module beside the GUI, not in
 * the library, and assembles the library as the GUI does ({@link org.keepwatch.compose.Keepwatch}). It imports no
 * JavaFX, though JavaFX is on the module's class path: it must run where there is no display (cron, a monitoring
 * check, an SSH session), and packaging/bin/keepwatch leaves JavaFX off its class path altogether.
 */
public final class Main {
    /** Logback reads this before the first logger exists; the GUI's logback.xml would log every connection at INFO. */
    private static final String LOGGING = "org/keepwatch/cli/logback.xml";

    private Main() {
    }

    static Map<String, Command> commands() {
        Map<String, Command> commands = new LinkedHashMap<>();
        commands.put("lint", new LintCommand());
        commands.put("edit", new EditCommand());
        commands.put("show", new ShowCommand());
        commands.put("peers", new PeersCommand());
        commands.put("status", new StatusCommand());
        commands.put("backups", new BackupsCommand());
        commands.put("restore", new RestoreCommand());
        commands.put("drain", new MaintenanceCommand(MaintenanceCommand.Verb.DRAIN));
        commands.put("undrain", new MaintenanceCommand(MaintenanceCommand.Verb.UNDRAIN));
        commands.put("failover", new MaintenanceCommand(MaintenanceCommand.Verb.FAILOVER));
        commands.put("drain-setup", new MaintenanceCommand(MaintenanceCommand.Verb.SETUP));
        commands.put("daemon", new DaemonCommand());
        commands.put("logs", new LogsCommand());
        commands.put("diagnose", new DiagnoseCommand());
        commands.put("history", new HistoryCommand());
        commands.put("report", new ReportCommand());
        return commands;
    }

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGGING);
        }
        Charset charset = outputCharset(Charset.defaultCharset());
        System.exit(run(args, new PrintStream(new FileOutputStream(FileDescriptor.out), true, charset),
                new PrintStream(new FileOutputStream(FileDescriptor.err), true, charset)));
    }

    /**
     * What the CLI writes in: the platform's charset, except US-ASCII (the C or POSIX locale, as on a server or in
     * CI), which cannot say "→" or "·" and would write "?" instead, into a report saved to a file too: UTF-8 then.
     */
    static Charset outputCharset(Charset platform) {
        return platform.equals(StandardCharsets.US_ASCII) ? StandardCharsets.UTF_8 : platform;
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
        } catch (CommandFailure e) {
            err.println("keepwatch " + args[0] + ": " + e.getMessage());
            return e.exitStatus();
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
