package org.keepwatch.fleet;

import java.time.Duration;

/**
 * @param confirmAfter  how long an alarming verdict must hold before it is raised: a failover or a
 *                      preemption passes through two MASTERs or none for a few milliseconds, which
 *                      is not an incident
 * @param historyLimit  transitions kept per instance
 * @param eventLimit    events kept for a consumer that does not drain; beyond it the batch says so
 */
public record FleetSettings(Duration confirmAfter, int historyLimit, int eventLimit) {

    public static final FleetSettings DEFAULTS = new FleetSettings(Duration.ofMillis(1500), 64, 200_000);
}
