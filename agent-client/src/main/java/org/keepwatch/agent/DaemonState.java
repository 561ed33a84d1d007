package org.keepwatch.agent;

import java.util.List;
import java.util.Optional;

/**
 * One keepalived daemon in a state snapshot. {@code netns} is empty for the node's own namespace;
 * {@code responsive} false means it did not answer its dump signal (hung, or stopped with SIGSTOP).
 */
public record DaemonState(String name, boolean alive, boolean responsive, Optional<Integer> pid, Optional<String> netns,
                          Optional<Double> snapshotTs, Optional<String> source, Optional<String> error,
                          Optional<String> stoppedReason, List<InstanceState> instances) {

    public DaemonState {
        instances = instances == null ? List.of() : List.copyOf(instances);
    }
}
