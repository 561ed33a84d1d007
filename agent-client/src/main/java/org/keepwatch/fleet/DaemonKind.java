package org.keepwatch.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What kind of keepalived a daemon is, as its agent reports it: the version it runs, whether it runs in a root of its
 * own (a container, its own mount namespace), the Neutron router it serves.
 *
 * @param version       the keepalived version this daemon runs (empty: not running, or an older agent)
 * @param ownRoot       false for a daemon in another mount namespace with another root: keepalived in a container
 * @param neutronRouter the Neutron router it serves (empty: not Neutron's)
 */
public record DaemonKind(Optional<String> version, boolean ownRoot, Optional<String> neutronRouter) {

    /** Nothing reported of it (an older agent, or a daemon event that says nothing of it). */
    public static final DaemonKind UNKNOWN = new DaemonKind(Optional.empty(), true, Optional.empty());

    public DaemonKind {
        version = version == null ? Optional.empty() : version;
        neutronRouter = neutronRouter == null ? Optional.empty() : neutronRouter;
    }

    /** In words, what sets it apart ("in a container (own mount namespace)", "Neutron-managed"); empty: nothing. */
    public List<String> describe() {
        List<String> words = new ArrayList<>();
        if (!ownRoot) {
            words.add("in a container (own mount namespace)");
        }
        neutronRouter.ifPresent(r -> words.add("Neutron-managed (router " + r + ")"));
        return words;
    }
}
