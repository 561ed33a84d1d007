package org.keepwatch.fleet;

import java.time.Instant;

/** One state change of one instance, for its timeline. */
public record Transition(Instant at, InstanceId instance, VrrpState from, VrrpState to, int effectivePriority,
                         String cause) {
}
