package org.keepwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keepwatch.agent.ApplyStep;
import org.keepwatch.agent.BackupList;
import org.keepwatch.agent.BackupText;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.push.BackupService;
import org.keepwatch.push.ElectionForecast;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushOutcome;
import org.keepwatch.push.PushService;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * keepwatch restore NODE BACKUP [DAEMON]: puts a configuration backup back through the agent's safe apply (lock,
 * compare, keepalived -t, backup of the file it replaces, write, reload, health watch, rollback on trouble, audit
 * line), after showing the plan (what changes, what the election will do) and asking, unless {@code --yes}.
 */
final class RestoreCommand implements Command {

    @Override
    public String synopsis() {
        return "NODE BACKUP [DAEMON] [--reason TEXT] " + FleetConnection.SYNOPSIS;
    }

    @Override
    public String summary() {
        return "put a configuration backup back on a node, checked, reloaded and rolled back on trouble as a push";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        return run(args, out, err, Confirmation.ofThisProcess());
    }

    int run(List<String> args, PrintStream out, PrintStream err, Confirmation confirmation) {
        Set<String> valued = new java.util.HashSet<>(FleetConnection.VALUED);
        valued.add("--reason");
        Arguments parsed = new Arguments(args, FleetConnection.FLAGS, valued);
        List<String> operands = parsed.operands();
        if (operands.size() < 2 || operands.size() > 3) {
            throw new UsageException(operands.size() < 2 ? "name the node and the backup" : "unexpected " + operands.get(3));
        }
        String name = operands.get(1);
        boolean json = parsed.has("--json");
        try (FleetConnection fleet = FleetConnection.open(parsed)) {
            List<String> where = new ArrayList<>(List.of(operands.get(0)));
            if (operands.size() == 3) {
                where.add(operands.get(2));
            }
            EditTarget target = BackupsCommand.target(fleet, where);
            fleet.requireWritable(target.node());
            BackupService backups = new BackupService(fleet.agents(), fleet.io());
            BackupService.NodeBackups listed = BackupsCommand.await(fleet, backups.list(target), target, "listing the backups");
            BackupService.FileBackups file = BackupsCommand.fileOf(listed, name);
            BackupList.Entry entry = file.backup(name).orElseThrow();
            BackupText backup = BackupsCommand.await(fleet, backups.read(target, file.path(), name), target, "reading " + name);
            PushService pushes = new PushService(fleet.agents(), fleet::state, fleet.io(), fleet.journal());
            ConfigDraft draft = BackupsCommand.await(fleet, new NodeConfigService(fleet.agents(), fleet.io()).open(target), target,
                    "reading the configuration");
            List<ElectionForecast.Forecast> election = pushes.election(target, draft.withText(file.path(), backup.text()));

            PrintStream plan = json ? err : out;
            plan.println("Restore on " + target.label() + ": " + file.path());
            plan.println("  from backup " + name + " (taken " + BackupsCommand.TIME.format(entry.created()) + ", " + entry.size() + " B)");
            if (backup.sha256().equals(file.liveSha256())) {
                plan.println("  the live file already has this content: keepalived is checked and reloaded, nothing else changes");
            } else {
                plan.println("  what changes (- the live file, + the backup):");
                BackupsCommand.unified(file.liveText(), backup.text()).lines().forEach(l -> plan.println("    " + l));
            }
            election.forEach(f -> plan.println("  election: " + f.sentence()));
            if (!confirmation.confirmed(parsed, "Restore " + name + " on " + target.label() + "?", err)) {
                return ActionExit.REFUSED;
            }
            String reason = parsed.value("--reason").orElse("keepwatch restore " + name);
            List<ApplyStep> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
            PushOutcome outcome = BackupsCommand.await(fleet, pushes.restore(target, file.path(), name, file.liveSha256(), reason, step -> {
                steps.add(step);
                if (step.status() != ApplyStep.Status.STARTED) {
                    plan.printf("  %-8s %-7s %s%n", step.step(), step.status().name().toLowerCase(Locale.ROOT), step.detail());
                }
            }), target, "restoring " + name);
            Ending verdict = verdict(target, name, file.path(), outcome, backup.sha256());
            if (json) {
                out.println(json(target, file.path(), name, outcome, verdict, steps, election).toPrettyString());
            } else {
                out.println(verdict.headline());
                out.println("  " + verdict.detail());
            }
            return verdict.exit();
        }
    }

    /** The outcome in the push window's words, and the exit status. */
    record Ending(int exit, String headline, String detail) {
    }

    static Ending verdict(EditTarget target, String name, String path, PushOutcome outcome, String backupSha) {
        String node = target.label();
        if (outcome instanceof PushOutcome.Applied applied) {
            String now = applied.draft().base().file(path).map(f -> f.sha256()).orElse("");
            if (!now.equals(backupSha)) {
                return new Ending(ActionExit.FAILED, "Restored on " + node + ", but the file read afterwards is not the backup",
                        path + " has sha256 " + now + ", the backup " + backupSha);
            }
            return new Ending(ActionExit.DONE, "Applied on " + node, "Written, reloaded and healthy: " + path + " is " + name + " again."
                    + (applied.backups().isEmpty() ? "" : " The version it replaced is kept as backup " + String.join(", ", applied.backups()) + "."));
        } else if (outcome instanceof PushOutcome.Refused refused) {
            String first = refused.check().diagnostics().stream().filter(d -> d.error()).findFirst().map(Object::toString)
                    .orElse("see keepalived -t's output");
            return new Ending(ActionExit.FAILED, "Refused by keepalived -t on " + node, "Nothing was written or reloaded. " + first + ".");
        } else if (outcome instanceof PushOutcome.Conflict) {
            return new Ending(ActionExit.FAILED, path + " changed on " + node,
                    "Someone changed it since it was read. Nothing was written; run keepwatch restore again to see the plan anew.");
        } else if (outcome instanceof PushOutcome.RolledBack r) {
            return new Ending(ActionExit.FAILED, "Rolled back on " + node, "It was written and reloaded, but " + r.reason()
                    + ". The previous " + r.path() + " was restored and reloaded" + (r.daemonAlive() ? "." : "; keepalived is NOT running there now."));
        }
        PushOutcome.Failed f = (PushOutcome.Failed) outcome;
        return new Ending(ActionExit.FAILED, "Restore failed on " + node, f.message() + ".");
    }

    private static ObjectNode json(EditTarget target, String path, String name, PushOutcome outcome, Ending verdict, List<ApplyStep> steps,
                                   List<ElectionForecast.Forecast> election) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("node", target.node()).put("daemon", target.daemon()).put("path", path).put("backup", name)
                .put("outcome", outcome.getClass().getSimpleName().toLowerCase(Locale.ROOT)).put("ok", verdict.exit() == ActionExit.DONE)
                .put("headline", verdict.headline()).put("detail", verdict.detail());
        ArrayNode said = root.putArray("election");
        election.forEach(f -> said.add(f.sentence()));
        ArrayNode list = root.putArray("steps");
        steps.stream().filter(s -> s.status() != ApplyStep.Status.STARTED).forEach(s -> list.addObject().put("step", s.step())
                .put("status", s.status().name().toLowerCase(Locale.ROOT)).put("detail", s.detail()));
        return root;
    }
}
