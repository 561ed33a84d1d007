package org.keepwatch.agent;

import java.util.List;
import java.util.Optional;

/**
 * One keepalived daemon in a state snapshot. {@code netns} is empty for the node's own namespace;
 * {@code responsive} false means it did not answer its dump signal (hung, or stopped with SIGSTOP),
 * and {@code error} then says why. {@code instancesFrom} says where its instances come from: "dump"
 * (keepalived's own state) or "config" (what its configuration claims, when no dump could be had: a hung,
 * dead or stopped daemon, or one that was never started). {@code maintenance} is its maintenance weight (absent from
 * an agent that predates it). {@code version} is the keepalived version it runs (empty when not running, or from an
 * older agent), {@code ownRoot} false for one in a root of its own (a container), {@code neutronRouter} the Neutron
 * router it serves.
 */
public record DaemonState(String name, boolean alive, boolean responsive, Optional<Integer> pid, Optional<String> netns,
                          Optional<Double> snapshotTs, Optional<String> source, Optional<DumpError> error,
                          Optional<String> stoppedReason, Optional<String> instancesFrom, List<InstanceState> instances,
                          Optional<MaintenanceRecord> maintenance, Optional<String> version, Optional<Boolean> ownRoot,
                          Optional<String> neutronRouter) {

    /** Why the last dump failed: a protocol error code and a message. */
    public record DumpError(Optional<String> code, Optional<String> message) {
        public String describe() {
            return message.orElse(code.orElse("the dump failed"));
        }
    }

    public DaemonState {
        instances = instances == null ? List.of() : List.copyOf(instances);
        maintenance = maintenance == null ? Optional.empty() : maintenance;
        version = version == null ? Optional.empty() : version;
        ownRoot = ownRoot == null ? Optional.empty() : ownRoot;
        neutronRouter = neutronRouter == null ? Optional.empty() : neutronRouter;
    }
}
