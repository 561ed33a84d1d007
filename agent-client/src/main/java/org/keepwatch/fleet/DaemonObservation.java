package org.keepwatch.fleet;

import java.util.Optional;

/** A keepalived daemon on a node: alive, answering its dump signal, in which namespace. */
public record DaemonObservation(String node, String name, String netns, boolean alive, boolean responsive,
                                Optional<String> problem) {
}
