package org.keepwatch.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** One vrrp_instance block, typed. Values keepalived would reject are empty here; the linter names them. */
public record VrrpInstance(String name, Optional<State> state, Optional<String> interfaceName, OptionalInt virtualRouterId,
                           OptionalInt priority, OptionalDouble advertInt, OptionalInt version, boolean nopreempt,
                           OptionalDouble preemptDelay, Optional<Authentication> authentication,
                           Optional<String> unicastSrcIp, List<UnicastPeer> unicastPeers,
                           List<Tracked> trackInterfaces, List<Tracked> trackScripts, List<Tracked> trackFiles,
                           List<Tracked> trackProcesses, List<VirtualAddress> virtualAddresses,
                           List<VirtualAddress> excludedAddresses, List<Entry> virtualRoutes, List<Entry> virtualRules,
                           Notify notifyScripts, Garp garp, Map<String, List<String>> settings, Statement node) {

    /** Initial state as configured. */
    public enum State { MASTER, BACKUP }

    /** keepalived's default priority when none is given. */
    public static final int DEFAULT_PRIORITY = 100;

    public int effectivePriority() {
        return priority.orElse(DEFAULT_PRIORITY);
    }

    /** Address family of the instance, decided like keepalived by its first virtual address. */
    public boolean isIpv6() {
        return !virtualAddresses.isEmpty() && virtualAddresses.get(0).address().contains(":");
    }

    /** virtual_ipaddress then virtual_ipaddress_excluded: every address a master of this instance brings up. */
    public List<VirtualAddress> allAddresses() {
        List<VirtualAddress> out = new ArrayList<>(virtualAddresses);
        out.addAll(excludedAddresses);
        return out;
    }

    /** authentication { auth_type PASS|AH; auth_pass SECRET }. */
    public record Authentication(Optional<String> type, Optional<String> pass) {
    }

    /** An entry of unicast_peer, with its optional min_ttl/max_ttl. */
    public record UnicastPeer(String address, Statement node) {
    }

    /** An entry of track_interface/track_script/track_file/track_process: a name, a weight, reverse. */
    public record Tracked(String name, OptionalInt weight, boolean reverse, Statement node) {
    }

    /** A line of virtual_ipaddress or virtual_ipaddress_excluded: {@code ADDR[/PREFIX] [dev IF] [label L] [scope S] ...}. */
    public record VirtualAddress(String address, OptionalInt prefixLength, Optional<String> dev, Optional<String> label,
                                 Optional<String> scope, Optional<String> broadcast, boolean noTrack, Statement node) {
        /** The address as operators compare it: address/prefix, prefix defaulting to the host length. */
        public String cidr() {
            return address + "/" + prefixLength.orElse(address.contains(":") ? 128 : 32);
        }
    }

    /** A line of virtual_routes or virtual_rules, kept as its words with the device it names if any. */
    public record Entry(List<String> words, Optional<String> dev, Statement node) {
        public String text() {
            return String.join(" ", words);
        }
    }

    /** notify scripts. */
    public record Notify(Optional<String> master, Optional<String> backup, Optional<String> fault, Optional<String> stop,
                         Optional<String> any, Optional<String> masterRxLowerPri) {
    }

    /** Gratuitous ARP / unsolicited NA settings. */
    public record Garp(OptionalDouble masterDelay, OptionalInt masterRepeat, OptionalDouble masterRefresh,
                       OptionalInt masterRefreshRepeat, OptionalDouble lowerPrioDelay, OptionalInt lowerPrioRepeat) {
    }
}
