package org.keepwatch.fleet.bench;

import org.keepwatch.agent.AgentScript;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.fleet.FleetMonitor;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.NodeSupervisor;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshPrompts;

import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

/** A fleet monitor wired as the app wires one: default settings, no ssh-agent, no prompts (the lab needs none). */
final class BenchMonitors {

    private BenchMonitors() {
    }

    static FleetMonitor create(FleetState state) throws IOException {
        SshEnvironment environment = SshEnvironment.ofCurrentUser().withAgentSocket(Optional.empty());
        return new FleetMonitor(state, new FleetMonitor.Parts(SshConfig.none(environment), new SshConnector(),
                SshPrompts.BATCH, AgentScript.bundled(), AgentSession.Options.defaults(),
                NodeSupervisor.Settings.defaults(), Clock.systemUTC()));
    }

    static FleetState newState() {
        return new FleetState(Clock.systemUTC(), FleetSettings.DEFAULTS);
    }
}
