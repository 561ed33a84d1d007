package org.keepwatch.compose;

import org.keepwatch.agent.AgentScript;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.daemons.DaemonControl;
import org.keepwatch.daemons.DaemonLogs;
import org.keepwatch.diagnosis.DiagnosisService;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetJournal;
import org.keepwatch.fleet.FleetMonitor;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.NodeSupervisor;
import org.keepwatch.history.ConfigHistory;
import org.keepwatch.history.HistorySettings;
import org.keepwatch.history.HistoryStore;
import org.keepwatch.push.BackupService;
import org.keepwatch.maintenance.MaintenanceService;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushService;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshException;
import org.keepwatch.ssh.SshPrompts;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one composition of the library, shared by both front ends (the app and the command-line tool). A front end
 * decides only what is its own: how SSH asks its questions ({@link SshPrompts}: dialogs in the app, BatchMode's
 * refusals in the CLI), the clock, and what a broken ~/.ssh/config means (the CLI stops and says why; the app
 * connects as if there were none and says so). Everything else of the fleet engine is chosen here once: the SSH
 * connector, the bundled agent, the agent's options, the supervisors' timings and the fleet's alarm settings, so
 * both front ends watch a fleet the same way. Tests that need other wiring (a lab's keys, a hand-moved clock)
 * build {@link FleetMonitor.Parts} themselves.
 */
public final class Keepwatch {

    private final Supplier<SshEnvironment> environment;
    private final SshPrompts prompts;
    private final Clock clock;
    private final Optional<HistoryStore> history;

    /** @param environment the workstation's SSH environment, asked again for every fleet watched */
    public Keepwatch(Supplier<SshEnvironment> environment, SshPrompts prompts, Clock clock) {
        this(environment, prompts, clock, Optional.empty());
    }

    private Keepwatch(Supplier<SshEnvironment> environment, SshPrompts prompts, Clock clock, Optional<HistoryStore> history) {
        this.environment = environment;
        this.prompts = prompts;
        this.clock = clock;
        this.history = history;
    }

    /**
     * The same library recording into {@code store}: every fleet watched tells it its events, every service made here
     * its actions, and the watched nodes' configurations are read into it (ADR 0015).
     */
    public Keepwatch withHistory(HistoryStore store) {
        return new Keepwatch(environment, prompts, clock, Optional.of(store));
    }

    /**
     * The history of the workstation's settings (settings.json's {@code history}; SQLite under the XDG data
     * directory by default), opened on its own thread: a front end starts at once, and a history that cannot be
     * opened is told to {@code problems} while the fleet is watched without it. Empty when the settings turn it off.
     */
    public static Optional<HistoryStore> openHistory(java.nio.file.Path settingsDirectory, Clock clock, Consumer<String> problems) {
        return openHistory(settingsDirectory, HistorySettings.defaults(), clock, problems);
    }

    /** As {@link #openHistory(java.nio.file.Path, Clock, Consumer)}, these settings where settings.json says nothing. */
    public static Optional<HistoryStore> openHistory(java.nio.file.Path settingsDirectory, HistorySettings defaults, Clock clock,
                                                     Consumer<String> problems) {
        HistorySettings settings;
        try {
            settings = HistorySettings.read(settingsDirectory, defaults);
        } catch (java.io.IOException e) {
            problems.accept("the history is off: " + e.getMessage());
            return Optional.empty();
        }
        return settings.enabled() ? Optional.of(HistoryStore.open(settings, clock, problems)) : Optional.empty();
    }

    /** Where the fleet's events and the actions go: the history, or nowhere. */
    public FleetJournal journal() {
        return history.<FleetJournal>map(h -> h).orElse(FleetJournal.NONE);
    }

    public Optional<HistoryStore> history() {
        return history;
    }

    /** Reads the configurations of the nodes these sessions reach into the history (at connect, after changes, periodically). */
    public void recordConfigurations(Function<String, Optional<AgentSession>> sessions) {
        history.ifPresent(h -> h.watchConfigs(sessions));
    }

    /** The library for the user running it: their ~/.ssh, their ssh-agent. */
    public static Keepwatch forCurrentUser(SshPrompts prompts, Clock clock) {
        return new Keepwatch(SshEnvironment::ofCurrentUser, prompts, clock);
    }

    /** How long a problem must last before it is an alarm, and the other settings of a watched fleet. */
    public FleetSettings fleetSettings() {
        return FleetSettings.DEFAULTS;
    }

    /** An empty state for a fleet about to be watched. */
    public FleetState newState() {
        return new FleetState(clock, fleetSettings(), journal());
    }

    /** The fleet engine's parts, ~/.ssh/config included; a broken one fails the whole (the CLI). */
    public FleetMonitor.Parts parts() throws SshException.BadConfig {
        return parts(SshConfig.load(environment.get()));
    }

    /**
     * The fleet engine's parts; a broken ~/.ssh/config is told to {@code problems} in words and the nodes are
     * connected as if there were none (the app, which shows the problem and keeps running).
     */
    public FleetMonitor.Parts partsDespiteBadConfig(Consumer<String> problems) {
        SshEnvironment current = environment.get();
        try {
            return parts(SshConfig.load(current));
        } catch (SshException.BadConfig e) {
            problems.accept(e.getMessage() + " (connecting without ~/.ssh/config)");
            try {
                return parts(SshConfig.none(current));
            } catch (SshException.BadConfig impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    /** The app's open fleet: every fleet file opened is watched by a monitor made as {@link #partsDespiteBadConfig}. */
    public FleetService fleetService(Executor io, Consumer<String> sshConfigProblems) {
        FleetService service = new FleetService(clock, io, () -> partsDespiteBadConfig(sshConfigProblems), journal());
        recordConfigurations(service::session);
        return service;
    }

    /** Reading and checking configurations through the agents of the fleet being watched. */
    public static NodeConfigService nodeConfigs(FleetService fleet, Executor io) {
        return new NodeConfigService(agents(fleet), io);
    }

    /** Every push, through the agents of the fleet being watched. */
    public static PushService pushes(FleetService fleet, Executor io) {
        return new PushService(agents(fleet), fleet::state, io, fleet.journal());
    }

    /** Start, stop, restart and reload of keepalived, guarded, through the agents of the fleet being watched. */
    public static DaemonControl daemonControl(FleetService fleet, Executor io) {
        return new DaemonControl(agents(fleet), fleet::state, io, fleet.journal());
    }

    /** Daemons' logs, read and followed through the agents of the fleet being watched. */
    public static DaemonLogs daemonLogs(FleetService fleet, Executor io) {
        return new DaemonLogs(agents(fleet), io);
    }

    /** Configuration backups (listing and reading them), through the agents of the fleet being watched. */
    public static BackupService backups(FleetService fleet, Executor io) {
        return new BackupService(agents(fleet), io);
    }

    /**
     * A node's configuration history: its kept versions with who made them, and a version restored through the same
     * push as any edit, through the agents of the fleet being watched. Without a history it says so.
     */
    public ConfigHistory configHistory(FleetService fleet, Executor io) {
        return new ConfigHistory(history, "Keepwatch keeps no history on this workstation: it is turned off in the settings "
                + "(settings.json, history.enabled), or the settings could not be read (said when Keepwatch started).",
                agents(fleet), nodeConfigs(fleet, io), pushes(fleet, io), io);
    }

    /** Planned failover (drain, undrain, make master here, move master away) and the maintenance weight's set-up. */
    public static MaintenanceService maintenance(FleetService fleet, Executor io) {
        return new MaintenanceService(agents(fleet), fleet::state, nodeConfigs(fleet, io), pushes(fleet, io), io);
    }

    /** "Why?" for a router, through the agents of the fleet being watched. */
    public static DiagnosisService diagnoses(FleetService fleet) {
        return diagnoses(fleet::session, fleet::state, fleet::fleet);
    }

    /** "Why?" for a router, through these agents, this state and this fleet (the CLI's, watched for one command). */
    public static DiagnosisService diagnoses(Function<String, Optional<AgentSession>> sessions, Supplier<FleetState> state,
                                             Supplier<Fleet> fleet) {
        return new DiagnosisService(sessions, state, node -> fleet.get().node(node)
                .map(n -> DiagnosisService.addressOf(n.settings().host())).orElse(List.of()));
    }

    private static NodeAgents agents(FleetService fleet) {
        return NodeAgents.of(fleet::session, fleet::listenToAgent);
    }

    private FleetMonitor.Parts parts(SshConfig sshConfig) {
        return new FleetMonitor.Parts(sshConfig, new SshConnector(), prompts, AgentScript.bundled(),
                AgentSession.Options.defaults(), NodeSupervisor.Settings.defaults(), clock);
    }
}
