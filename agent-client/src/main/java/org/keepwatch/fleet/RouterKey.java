package org.keepwatch.fleet;

import java.util.Comparator;

/**
 * Identity of one VRRP router across nodes. A Neutron router is its router id (the qrouter
 * namespace on every network node); any other router is a VRID within an address family on one
 * network, which for now is the fleet group its nodes belong to.
 */
public record RouterKey(Kind kind, String scope, String id) implements Comparable<RouterKey> {

    public enum Kind { NEUTRON, VRRP }

    private static final String NEUTRON_NETNS_PREFIX = "qrouter-";
    private static final Comparator<RouterKey> ORDER = Comparator.comparing(RouterKey::scope)
            .thenComparing(RouterKey::kind).thenComparing(RouterKey::sortableId);

    public static RouterKey of(InstanceObservation instance, String group) {
        if (instance.netns().startsWith(NEUTRON_NETNS_PREFIX)) {
            return new RouterKey(Kind.NEUTRON, group, instance.netns().substring(NEUTRON_NETNS_PREFIX.length()));
        }
        boolean ipv6 = instance.vips().stream().anyMatch(vip -> vip.contains(":"));
        return new RouterKey(Kind.VRRP, group, (ipv6 ? "v6/" : "") + instance.vrid());
    }

    /** What an operator calls it: the Neutron router id, or "VRID 51". */
    public String label() {
        if (kind == Kind.NEUTRON) {
            return id;
        }
        return id.startsWith("v6/") ? "VRID " + id.substring(3) + " (IPv6)" : "VRID " + id;
    }

    private String sortableId() {
        String digits = id.startsWith("v6/") ? id.substring(3) : id;
        return digits.chars().allMatch(Character::isDigit) ? "%05d%s".formatted(Integer.parseInt(digits), id) : id;
    }

    @Override
    public int compareTo(RouterKey other) {
        return ORDER.compare(this, other);
    }
}
