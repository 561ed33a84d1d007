package org.keepwatch.config;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Checks meaning rather than spelling, on the typed view: ranges and addresses, names that must exist,
 * instances that collide, and settings keepalived accepts but that bite operators.
 */
final class SemanticChecker {
    /** The IPVS schedulers keepalived's lvs_sched accepts (check_parser.c lbalgo_handler, keepalived.conf(5)). */
    private static final Set<String> SCHEDULERS = Set.of("rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf",
        "lblcr", "sed", "nq", "twos");
    /** From this release on keepalived no longer warns that a route without dev cannot be tracked. */
    private static final KeepalivedVersion ROUTES_TRACKED_WITHOUT_DEV = new KeepalivedVersion(2, 3, 0);
    private final LintOptions options;
    private final List<Diagnostic> out;
    /** global_defs vrrp_version: the VRRP version of instances that set none (keepalived's default is 2). */
    private int vrrpVersion = 2;

    SemanticChecker(LintOptions options, List<Diagnostic> out) {
        this.options = options;
        this.out = out;
    }

    void check(KeepalivedConfig config, List<Statement> roots) {
        vrrpVersion = config.globalDefs().node().flatMap(g -> g.child("vrrp_version")).flatMap(v -> v.arg(0))
            .map(Values::integer).filter(OptionalInt::isPresent).map(OptionalInt::getAsInt).orElse(2);
        checkGlobalRanges(config);
        Set<String> scripts = new HashSet<>();
        config.scripts().forEach(s -> scripts.add(s.name()));
        Set<String> trackFiles = new HashSet<>();
        config.trackFiles().forEach(f -> trackFiles.add(f.name()));
        Set<String> processes = new HashSet<>();
        config.trackProcesses().forEach(p -> processes.add(p.name()));
        for (var script : config.scripts()) {
            if (script.script().isEmpty()) {
                out.add(DiagnosticCode.MISSING_REQUIRED.at(script.node().location(),
                    "vrrp_script " + script.name() + " has no script; keepalived removes it"));
            }
        }
        Map<String, VrrpInstance> byName = new HashMap<>();
        Map<String, VrrpInstance> byVrid = new HashMap<>();
        for (VrrpInstance instance : config.instances()) {
            VrrpInstance previous = byName.put(instance.name(), instance);
            if (previous != null) {
                out.add(DiagnosticCode.DUPLICATE_NAME.at(instance.node().location(), "vrrp_instance " + instance.name()
                    + " is already defined on line " + previous.node().location().line()));
            }
            checkInstance(instance, scripts, trackFiles, processes);
            if (instance.virtualRouterId().isPresent() && instance.interfaceName().isPresent()) {
                String key = instance.interfaceName().get() + "/" + instance.virtualRouterId().getAsInt() + "/" + instance.isIpv6();
                VrrpInstance other = byVrid.put(key, instance);
                if (other != null && previous == null) {
                    out.add(DiagnosticCode.DUPLICATE_VRID.at(instance.node().location(), "virtual_router_id "
                        + instance.virtualRouterId().getAsInt() + " on " + instance.interfaceName().get()
                        + " is already used by " + other.name()));
                }
            }
        }
        for (var group : config.syncGroups()) {
            if (group.members().isEmpty()) {
                out.add(DiagnosticCode.MISSING_REQUIRED.at(group.node().location(),
                    "sync group " + group.name() + " has no group { instances }; keepalived removes it"));
            }
            group.node().child("group").ifPresent(g -> g.children().forEach(member -> {
                if (!byName.containsKey(member.keyword())) {
                    out.add(DiagnosticCode.UNKNOWN_REFERENCE.at(member.location(), "sync group " + group.name()
                        + " names vrrp_instance " + member.keyword() + ", which is not defined"));
                }
            }));
        }
        for (VirtualServer server : config.virtualServers()) {
            // check_parser.c lbalgo_handler: "Invalid lvs_scheduler '%s' - ignoring" (keepalived then uses wlc)
            for (String keyword : List.of("lvs_sched", "lb_algo")) {
                server.node().child(keyword).ifPresent(n -> n.arg(0).filter(a -> !SCHEDULERS.contains(a)).ifPresent(a ->
                    out.add(DiagnosticCode.INVALID_VALUE.at(n.wordLocation(1), keyword + " '" + a + "' is not a scheduler keepalived knows;"
                        + " it ignores it and uses wlc"))));
            }
            // check_parser.c pto_handler: read_unsigned_strvec(..., 1, LVS_MAX_TIMEOUT) - "outside range [1, 2678400]"
            range(server.node(), "persistence_timeout", 1, 2678400, "");
            // check_parser.c pgr_handler: "Invalid IPv4 persistence_granularity specified - %s" (a netmask for IPv4)
            server.node().child("persistence_granularity").ifPresent(n -> n.arg(0)
                .filter(a -> !Addresses.isIpv4(a) && Values.integer(a).isEmpty()).ifPresent(a -> out.add(DiagnosticCode.INVALID_ADDRESS
                    .at(n.wordLocation(1), "persistence_granularity '" + a + "' is not a netmask; keepalived ignores it"))));
            // check_api.c co_srcip_handler: "Invalid bindto address %s - ignoring", in every checker of every real server
            bindtos(server.node());
            // check_parser.c quorum_handler: "Quorum %s must be in [1, 4294967295]. Setting to 1."
            range(server.node(), "quorum", 1, Integer.MAX_VALUE, "");
            if (server.isFwmark() && server.protocol().isPresent()) {
                server.node().child("protocol").ifPresent(p -> out.add(DiagnosticCode.IGNORED_VALUE.at(p.location(),
                    "protocol is ignored for a fwmark virtual server")));
            }
        }
        checkRoutesAndRules(roots);
        checkScriptSecurity(config);
    }

    private void checkInstance(VrrpInstance instance, Set<String> scripts, Set<String> trackFiles, Set<String> processes) {
        Statement node = instance.node();
        String who = "(" + instance.name() + ") ";
        node.child("state").ifPresent(s -> {
            if (instance.state().isEmpty()) {
                out.add(DiagnosticCode.INVALID_VALUE.at(s.location(), who + "unknown state '" + s.arg(0).orElse("")
                    + "'; keepalived uses BACKUP", "BACKUP"));
            }
        });
        range(node, "virtual_router_id", 1, 255, who);
        range(node, "priority", 1, 255, who);
        range(node, "version", 2, 3, who);
        node.child("advert_int").ifPresent(a -> {
            var value = a.arg(0).map(Values::decimal);
            if (value.isEmpty() || value.get().isEmpty() || value.get().getAsDouble() <= 0) {
                out.add(DiagnosticCode.INVALID_NUMBER.at(a.location(), who + "advert_int must be a number of seconds above 0"));
            }
        });
        if (instance.virtualRouterId().isEmpty() && node.child("virtual_router_id").isEmpty()) {
            out.add(DiagnosticCode.MISSING_REQUIRED.at(node.location(), who + "virtual_router_id must be set; keepalived removes the instance"));
        }
        instance.authentication().ifPresent(auth -> {
            auth.pass().filter(p -> p.length() > 8).ifPresent(p -> node.child("authentication").flatMap(a -> a.child("auth_pass"))
                .ifPresent(n -> out.add(DiagnosticCode.AUTH_PASS_TOO_LONG.at(n.location(),
                    who + "auth_pass is " + p.length() + " characters; keepalived uses only the first 8"))));
            // vrrp_parser.c: "unknown authentication type '%s'" names the auth_type line
            auth.type().filter(t -> !t.equals("PASS") && !t.equals("AH")).ifPresent(t -> out.add(
                DiagnosticCode.INVALID_VALUE.at(node.child("authentication").flatMap(a -> a.child("auth_type"))
                    .or(() -> node.child("auth_type")).orElse(node).location(), who + "auth_type must be PASS or AH, not " + t)));
            if (auth.type().filter("AH"::equals).isPresent() && instance.state().filter(VrrpInstance.State.MASTER::equals).isPresent()) {
                out.add(DiagnosticCode.MASTER_WITH_AH.at(node.child("state").orElse(node).location(),
                    who + "initial state MASTER is incompatible with AH authentication; keepalived starts as BACKUP"));
            }
        });
        if (instance.nopreempt() && instance.state().filter(VrrpInstance.State.MASTER::equals).isPresent()) {
            out.add(DiagnosticCode.MASTER_NOPREEMPT.at(node.child("nopreempt").orElse(node).location(),
                who + "nopreempt only works with state BACKUP; with MASTER this node takes over whenever it starts"));
        }
        for (String list : List.of("virtual_ipaddress", "virtual_ipaddress_excluded")) {
            node.children(list).forEach(block -> block.children().forEach(entry -> {
                if (!Addresses.isPrefix(entry.keyword())) {
                    out.add(DiagnosticCode.INVALID_ADDRESS.at(entry.location(), who + "invalid address '" + entry.keyword() + "'"));
                }
            }));
        }
        // keepalived reads unicast peers and the source with inet_stosockaddr, which stops at a '/': a prefix
        // written after the address is accepted and ignored (keepalived -t 2.1.5, 2.2.7 and 2.3.3 all take it).
        node.child("unicast_peer").ifPresent(block -> block.children().forEach(entry -> {
            if (!Addresses.isPrefix(entry.keyword())) {
                out.add(DiagnosticCode.INVALID_ADDRESS.at(entry.location(), who + "invalid unicast peer '" + entry.keyword() + "'"));
            }
        }));
        node.child("unicast_src_ip").ifPresent(n -> {
            if (!n.arg(0).map(Addresses::isPrefix).orElse(false)) {
                out.add(DiagnosticCode.INVALID_ADDRESS.at(n.location(), who + "invalid unicast_src_ip"));
            }
        });
        checkIgnored(instance, who);
        if (instance.virtualAddresses().isEmpty()) {
            out.add(DiagnosticCode.EMPTY_VIRTUAL_ADDRESSES.at(node.location(), who + "has no virtual_ipaddress"));
        }
        if (instance.effectivePriority() == 255) checkOwner(instance, who);
        reference(instance.trackScripts(), scripts, "track script", who);
        reference(instance.trackFiles(), trackFiles, "track file", who);
        reference(instance.trackProcesses(), processes, "track process", who);
        for (var tracked : instance.trackInterfaces()) {
            tracked.weight().ifPresent(w -> {
                if (w < -253 || w > 253) {
                    out.add(DiagnosticCode.INVALID_NUMBER.at(tracked.node().location(), who + "weight must be -253..253"));
                }
            });
        }
        if (node.child("lvs_sync_daemon_interface").isPresent()) {
            out.add(DiagnosticCode.DEPRECATED.at(node.child("lvs_sync_daemon_interface").get().location(),
                who + "lvs_sync_daemon_interface in a vrrp_instance is deprecated; use global_defs lvs_sync_daemon"));
        }
    }

    /** Settings keepalived reads and then ignores, saying so (vrrp_parser.c / vrrp.c validate_vrrp). */
    private void checkIgnored(VrrpInstance instance, String who) {
        Statement node = instance.node();
        int version = instance.version().orElse(vrrpVersion);
        // vrrp.c: "VRRP version 3 does not support authentication. Ignoring." (every probed release)
        if (version == 3) {
            node.child("authentication").ifPresent(a -> out.add(DiagnosticCode.IGNORED_VALUE.at(a.location(),
                who + "VRRP version 3 has no authentication; keepalived ignores this block")));
        }
        // vrrp.c: "Ignoring track_interface %s since own interface" - the instance already tracks its interface.
        instance.interfaceName().ifPresent(own -> instance.trackInterfaces().stream().filter(t -> t.name().equals(own))
            .forEach(t -> out.add(DiagnosticCode.IGNORED_VALUE.at(t.node().location(), who + "track_interface " + own
                + " is the instance's own interface, which it already tracks; keepalived ignores this entry"))));
    }

    /** global_defs values keepalived checks against a range and refuses outside it (global_parser.c handlers). */
    private void checkGlobalRanges(KeepalivedConfig config) {
        config.globalDefs().node().ifPresent(g -> {
            // global_parser.c email_handler: "Warning - empty notification_email block"
            g.children("notification_email").filter(n -> n.hasBlock() && n.children().isEmpty()).forEach(n ->
                out.add(DiagnosticCode.IGNORED_VALUE.at(n.location(), "empty notification_email block; keepalived warns and mails no one")));
            // vrrp_garp_interval, vrrp_gna_interval: read_decimal_unsigned_strvec(..., 1, UINT_MAX, 6, ...) in
            // 2.2/2.3 ("outside range [0.000001, 4294.967295]"); 2.1.5 says [1e-06, 4294]: 0 is refused by all.
            for (String keyword : List.of("vrrp_garp_interval", "vrrp_gna_interval")) {
                g.child(keyword).ifPresent(n -> positiveSeconds(n, keyword, ""));
            }
            g.child("vrrp_version").ifPresent(n -> {
                OptionalInt v = n.arg(0).map(Values::integer).orElse(OptionalInt.empty());
                if (v.isEmpty() || v.getAsInt() < 2 || v.getAsInt() > 3) {
                    out.add(DiagnosticCode.INVALID_NUMBER.at(n.location(), "vrrp_version must be 2 or 3"));
                }
            });
        });
    }

    private void positiveSeconds(Statement n, String keyword, String who) {
        var value = n.arg(0).map(Values::decimal);
        double max = options.target().compareTo(new KeepalivedVersion(2, 2, 0)) < 0 ? 4294 : 4294.967295;
        if (value.isEmpty() || value.get().isEmpty() || value.get().getAsDouble() < 0.000001 || value.get().getAsDouble() > max) {
            out.add(DiagnosticCode.INVALID_NUMBER.at(n.location(), who + keyword + " '" + n.arg(0).orElse("")
                + "' is outside keepalived's range 0.000001.." + (max == 4294 ? "4294" : "4294.967295")
                + " seconds; keepalived " + options.target() + " refuses it and keeps its default"));
        }
    }

    private void bindtos(Statement node) {
        for (Statement child : node.children()) {
            if (child.keyword().equals("bindto") && !child.hasBlock()) {
                child.arg(0).filter(a -> !Addresses.isIp(a)).ifPresent(a -> out.add(DiagnosticCode.INVALID_ADDRESS.at(
                    child.wordLocation(1), "bindto '" + a + "' is not an IP address; keepalived ignores it")));
            } else if (child.hasBlock()) {
                bindtos(child);
            }
        }
    }

    private void checkOwner(VrrpInstance instance, String who) {
        boolean owns = options.localAddresses()
            .map(local -> instance.virtualAddresses().stream().anyMatch(a -> local.contains(a.address())))
            .orElse(false);
        if (!owns) {
            Statement at = instance.node().child("priority").orElse(instance.node());
            out.add(DiagnosticCode.PRIORITY_OWNER.at(at.location(), who + "priority 255 claims to own the virtual address"
                + (options.localAddresses().isPresent() ? ", but this node does not hold it" : "; make sure this node holds it")
                + "; otherwise use 254 or less"));
        }
    }

    private void reference(List<VrrpInstance.Tracked> tracked, Set<String> defined, String what, String who) {
        for (var item : tracked) {
            if (!defined.contains(item.name())) {
                out.add(DiagnosticCode.UNKNOWN_REFERENCE.at(item.node().location(), who + what + " " + item.name() + " is not defined"));
            }
        }
    }

    private void range(Statement node, String keyword, int min, int max, String who) {
        node.child(keyword).ifPresent(n -> {
            OptionalInt value = n.arg(0).map(Values::integer).orElse(OptionalInt.empty());
            if (n.arg(0).isEmpty()) {
                out.add(DiagnosticCode.MISSING_VALUE.at(n.location(), who + keyword + " needs a value"));
            } else if (value.isEmpty() || value.getAsInt() < min || value.getAsInt() > max) {
                out.add(DiagnosticCode.INVALID_NUMBER.at(n.wordLocation(1), who + keyword + " '" + n.arg(0).get()
                    + "' is not a number in " + min + ".." + max));
            }
        });
    }

    private void checkRoutesAndRules(List<Statement> roots) {
        for (Statement root : roots) {
            if (root.keyword().equals("static_routes")) routes(root);
            if (root.keyword().equals("static_rules")) rules(root);
            if (root.keyword().equals("vrrp_instance")) {
                root.children("virtual_routes").forEach(this::routes);
                root.children("virtual_rules").forEach(this::rules);
            }
        }
    }

    private void routes(Statement block) {
        for (Statement route : block.children()) {
            List<String> words = route.words();
            if (words.contains("or")) {
                out.add(DiagnosticCode.DEPRECATED.at(route.location(), "\"or\" for routes is deprecated; use \"nexthop\""));
            }
            if (words.contains("gw")) {
                out.add(DiagnosticCode.DEPRECATED.at(route.location(), "\"gw\" for routes is deprecated; use \"via\""));
            }
            // keepalived up to 2.2 warns "cannot track route ... with no interface specified, not tracking"; 2.3.3 says
            // nothing for the same file (keepalived's own sample keepalived.conf.vrrp.static_ipaddress, corpus 074).
            if (!words.contains("dev") && options.target().compareTo(ROUTES_TRACKED_WITHOUT_DEV) < 0) {
                out.add(DiagnosticCode.ROUTE_NOT_TRACKED.at(route.location(), "route without dev cannot be tracked"));
            }
        }
    }

    private void rules(Statement block) {
        for (Statement rule : block.children()) {
            List<String> words = rule.words();
            boolean valid = true;
            for (String key : List.of("from", "to")) {
                int i = words.indexOf(key);
                if (i >= 0 && i + 1 < words.size() && !words.get(i + 1).equals("all") && !Addresses.isPrefix(words.get(i + 1))) {
                    out.add(DiagnosticCode.INVALID_ADDRESS.at(rule.location(), "invalid rule " + key + " address '" + words.get(i + 1) + "'"));
                    valid = false;
                }
            }
            if (valid && !words.contains("preference") && !words.contains("prio") && !words.contains("priority")) {
                out.add(DiagnosticCode.RULE_WITHOUT_PREFERENCE.at(rule.location(), "rule without preference; keepalived picks one"));
            }
        }
    }

    private void checkScriptSecurity(KeepalivedConfig config) {
        if (config.globalDefs().enableScriptSecurity()) return;
        Optional<String> firstScript = config.scripts().stream().flatMap(s -> s.script().stream()).findFirst();
        for (var script : config.scripts()) {
            Optional<String> path = script.script().map(s -> s.strip().split("\\s+")[0]);
            if (path.isEmpty()) continue;
            boolean exists = options.scriptExists().map(p -> p.test(path.get())).orElse(true);
            if (exists) {
                out.add(DiagnosticCode.SCRIPT_SECURITY.at(script.node().location(), "vrrp_script " + script.name()
                    + " runs as root without enable_script_security in global_defs"));
                return;
            }
        }
        if (firstScript.isEmpty() && options.scriptExists().isEmpty()) {
            config.instances().stream().filter(i -> hasNotify(i.notifyScripts())).findFirst().ifPresent(i ->
                out.add(DiagnosticCode.SCRIPT_SECURITY.at(i.node().location(), "(" + i.name()
                    + ") notify scripts run as root without enable_script_security in global_defs")));
        }
    }

    private static boolean hasNotify(VrrpInstance.Notify n) {
        return n.master().isPresent() || n.backup().isPresent() || n.fault().isPresent() || n.stop().isPresent() || n.any().isPresent();
    }
}
