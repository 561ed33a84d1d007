package org.keepwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keepwatch.agent.BackupList;
import org.keepwatch.agent.BackupText;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.drafts.SideBySideDiff;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.push.BackupService;
import org.keepwatch.push.NodeConfigService;

import java.io.PrintStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * keepwatch backups NODE [DAEMON]: the configuration backups the node's agent keeps of a keepalived, file by file
 * (the main file and its includes), newest first; with {@code --diff BACKUP} what differs between that backup and
 * the live file (or {@code --against} another backup). Reads only.
 */
final class BackupsCommand implements Command {

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Override
    public String synopsis() {
        return "NODE [DAEMON] [--diff BACKUP [--against BACKUP]] " + FleetConnection.SYNOPSIS;
    }

    @Override
    public String summary() {
        return "a keepalived's configuration backups on a node, file by file; --diff shows one against the live file";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Set<String> valued = new HashSet<>(FleetConnection.VALUED);
        valued.addAll(Set.of("--diff", "--against"));
        Arguments parsed = new Arguments(args, FleetConnection.FLAGS, valued);
        List<String> operands = parsed.operands();
        if (operands.isEmpty() || operands.size() > 2) {
            throw new UsageException(operands.isEmpty() ? "name the node" : "unexpected " + operands.get(2));
        }
        if (parsed.value("--against").isPresent() && parsed.value("--diff").isEmpty()) {
            throw new UsageException("--against goes with --diff BACKUP");
        }
        try (FleetConnection fleet = FleetConnection.open(parsed)) {
            EditTarget target = target(fleet, operands);
            BackupService backups = new BackupService(fleet.agents(), fleet.io());
            BackupService.NodeBackups listed = await(fleet, backups.list(target), target, "listing the backups");
            if (parsed.value("--diff").isPresent()) {
                return diff(fleet, backups, listed, parsed, out);
            }
            if (parsed.has("--json")) {
                out.println(json(listed).toPrettyString());
            } else {
                print(listed, out);
            }
            return ActionExit.DONE;
        }
    }

    private static int diff(FleetConnection fleet, BackupService backups, BackupService.NodeBackups listed, Arguments parsed,
                            PrintStream out) {
        String name = parsed.value("--diff").orElseThrow();
        BackupService.FileBackups file = fileOf(listed, name);
        BackupText left = await(fleet, backups.read(listed.target(), file.path(), name), listed.target(), "reading " + name);
        String rightTitle;
        String rightText;
        if (parsed.value("--against").isPresent()) {
            String other = parsed.value("--against").get();
            if (file.backup(other).isEmpty()) {
                throw new CommandFailure(ActionExit.REFUSED, "no backup " + other + " of " + file.path() + " on "
                        + listed.target().label() + " (keepwatch backups " + listed.target().node() + " lists them)");
            }
            rightTitle = other;
            rightText = await(fleet, backups.read(listed.target(), file.path(), other), listed.target(), "reading " + other).text();
        } else {
            rightTitle = "live " + file.path();
            rightText = file.liveText();
        }
        if (parsed.has("--json")) {
            ObjectNode root = new ObjectMapper().createObjectNode();
            root.put("node", listed.target().node()).put("daemon", listed.target().daemon()).put("path", file.path())
                    .put("from", name).put("to", rightTitle).put("diff", unified(left.text(), rightText));
            out.println(root.toPrettyString());
        } else {
            out.println("--- " + name + "  (backup of " + file.path() + " on " + listed.target().label() + ")");
            out.println("+++ " + rightTitle);
            out.print(unified(left.text(), rightText));
        }
        return ActionExit.DONE;
    }

    /** The daemon named, else the node's only one; several and none named fails naming them. */
    static EditTarget target(FleetConnection fleet, List<String> operands) {
        String node = operands.get(0);
        fleet.node(node);
        fleet.awaitOnline(List.of(node));
        fleet.settle();
        List<String> daemons = fleet.state().daemons(node).stream().map(DaemonObservation::name).toList();
        if (daemons.isEmpty()) {
            // not in the watched state (a read-only node's agent cannot watch root's keepalived): as its agent knows them
            daemons = await(fleet, new NodeConfigService(fleet.agents(), fleet.io()).daemons(node),
                    new EditTarget(node, "keepalived", Optional.empty()), "listing its keepalived daemons").names();
        }
        if (operands.size() > 1) {
            String daemon = operands.get(1);
            if (!daemons.isEmpty() && !daemons.contains(daemon)) {
                throw new CommandFailure(ActionExit.REFUSED, "no keepalived " + daemon + " on " + node + " (its daemons: "
                        + String.join(", ", daemons) + ")");
            }
            return new EditTarget(node, daemon, Optional.empty());
        }
        if (daemons.size() > 1) {
            throw new UsageException(node + " runs " + daemons.size() + " keepalived daemons; name one: " + String.join(", ", daemons));
        }
        if (daemons.isEmpty()) {
            throw new CommandFailure(ActionExit.FAILED, node + " reports no keepalived daemon");
        }
        return new EditTarget(node, daemons.get(0), Optional.empty());
    }

    /** The file a backup of that name is of; a name no file has (a path, another daemon's backup) is refused. */
    static BackupService.FileBackups fileOf(BackupService.NodeBackups listed, String name) {
        return listed.fileOf(name).orElseThrow(() -> new CommandFailure(ActionExit.REFUSED, "no backup " + name + " of "
                + listed.target().label() + "'s configuration (a backup is named by its name alone, as keepwatch backups "
                + listed.target().node() + (listed.target().daemon().equals("keepalived") ? "" : " " + listed.target().daemon())
                + " lists them)"));
    }

    static <T> T await(FleetConnection fleet, CompletableFuture<T> future, EditTarget target, String doing) {
        try {
            return future.get(fleet.timeout().toMillis() + 120_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure(ActionExit.FAILED, target.label() + ": interrupted while " + doing);
        } catch (ExecutionException e) {
            throw new CommandFailure(ActionExit.FAILED, e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new CommandFailure(ActionExit.FAILED, target.label() + ": no answer while " + doing);
        }
    }

    /** A diff as lines: "-" only in the first, "+" only in the second, unchanged stretches folded. */
    static String unified(String before, String after) {
        StringBuilder out = new StringBuilder();
        for (SideBySideDiff.Row row : SideBySideDiff.rows(before, after, 3)) {
            switch (row.kind()) {
                case SAME -> out.append("  ").append(row.oldText()).append('\n');
                case REMOVED -> out.append("- ").append(row.oldText()).append('\n');
                case ADDED -> out.append("+ ").append(row.newText()).append('\n');
                case CHANGED -> out.append("- ").append(row.oldText()).append('\n').append("+ ").append(row.newText()).append('\n');
                case FOLDED -> out.append("  ...\n");
            }
        }
        return out.toString();
    }

    private static void print(BackupService.NodeBackups listed, PrintStream out) {
        for (BackupService.FileBackups file : listed.files()) {
            out.println(listed.target().label() + ": " + file.path() + " (" + file.role() + "; " + file.backups().size()
                    + " backup(s), the newest " + file.keep() + " kept)");
            if (file.backups().isEmpty()) {
                out.println("  none yet: a backup is taken before each push or restore changes the file");
            }
            for (BackupList.Entry b : file.backups()) {
                String same = b.sha256().equals(file.liveSha256()) ? "  = the live file" : "";
                out.printf("  %-45s %s  %6d B  sha256 %s%s%n", b.name(), TIME.format(b.created()), b.size(),
                        b.sha256().substring(0, Math.min(12, b.sha256().length())), same);
            }
        }
    }

    private static ObjectNode json(BackupService.NodeBackups listed) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("node", listed.target().node()).put("daemon", listed.target().daemon()).put("main", listed.mainPath());
        ArrayNode files = root.putArray("files");
        for (BackupService.FileBackups file : listed.files()) {
            ObjectNode f = files.addObject().put("path", file.path()).put("role", file.role()).put("sha256", file.liveSha256())
                    .put("keep", file.keep());
            ArrayNode list = f.putArray("backups");
            file.backups().forEach(b -> list.addObject().put("name", b.name()).put("created", b.created().toString())
                    .put("size", b.size()).put("sha256", b.sha256()));
        }
        return root;
    }
}
