package org.keepwatch.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** Reads the typed view out of a statement tree, taking the last of repeated keywords as keepalived does. */
public final class ModelBuilder {
    private ModelBuilder() {
    }

    public static KeepalivedConfig build(EffectiveConfig effective) {
        List<Statement> roots = effective.roots();
        List<KeepalivedConfig.VrrpScript> scripts = new ArrayList<>();
        List<KeepalivedConfig.TrackFile> trackFiles = new ArrayList<>();
        List<KeepalivedConfig.TrackProcess> processes = new ArrayList<>();
        List<KeepalivedConfig.SyncGroup> groups = new ArrayList<>();
        List<VrrpInstance> instances = new ArrayList<>();
        List<VirtualServer.Group> serverGroups = new ArrayList<>();
        List<VirtualServer> servers = new ArrayList<>();
        Statement globalDefs = null;
        for (Statement node : roots) {
            if (!node.hasBlock()) continue;
            String name = node.arg(0).orElse("");
            switch (node.keyword()) {
                case "global_defs" -> globalDefs = node;
                case "vrrp_script" -> scripts.add(script(name, node));
                case "track_file", "vrrp_track_file" -> trackFiles.add(new KeepalivedConfig.TrackFile(name, value(node, "file"),
                    weight(node), hasWord(node, "weight", "reverse"), node));
                case "vrrp_track_process" -> processes.add(new KeepalivedConfig.TrackProcess(name,
                    node.child("process").map(Statement::args).orElse(List.of()), weight(node), integer(node, "quorum"),
                    decimal(node, "delay"), node));
                case "vrrp_sync_group" -> groups.add(new KeepalivedConfig.SyncGroup(name, entries(node, "group"), notify(node), node));
                case "vrrp_instance" -> instances.add(instance(name, node));
                case "virtual_server_group" -> serverGroups.add(new VirtualServer.Group(name,
                    node.children().stream().map(n -> String.join(" ", n.words())).toList(), node));
                case "virtual_server" -> servers.add(virtualServer(node));
                default -> { }
            }
        }
        return new KeepalivedConfig(effective.configId(), globalDefs(globalDefs), scripts, trackFiles, processes, groups,
            instances, serverGroups, servers);
    }

    private static KeepalivedConfig.GlobalDefs globalDefs(Statement node) {
        if (node == null) {
            return new KeepalivedConfig.GlobalDefs(Optional.empty(), false, Optional.empty(), List.of(), Map.of(), Optional.empty());
        }
        return new KeepalivedConfig.GlobalDefs(value(node, "router_id"), node.child("enable_script_security").isPresent(),
            value(node, "script_user"), entries(node, "notification_email"), settings(node), Optional.of(node));
    }

    private static KeepalivedConfig.VrrpScript script(String name, Statement node) {
        return new KeepalivedConfig.VrrpScript(name, value(node, "script"), decimal(node, "interval"), decimal(node, "timeout"),
            weight(node), hasWord(node, "weight", "reverse"), integer(node, "rise"), integer(node, "fall"), value(node, "user"), node);
    }

    private static VrrpInstance instance(String name, Statement node) {
        Optional<VrrpInstance.State> state = value(node, "state").flatMap(s -> switch (s) {
            case "MASTER" -> Optional.of(VrrpInstance.State.MASTER);
            case "BACKUP" -> Optional.of(VrrpInstance.State.BACKUP);
            default -> Optional.empty();
        });
        Optional<VrrpInstance.Authentication> auth = node.child("authentication")
            .map(a -> new VrrpInstance.Authentication(value(a, "auth_type"), value(a, "auth_pass")));
        List<VrrpInstance.UnicastPeer> peers = node.child("unicast_peer").map(p -> p.children().stream()
            .map(n -> new VrrpInstance.UnicastPeer(n.keyword(), n)).toList()).orElse(List.of());
        VrrpInstance.Notify notify = notify(node);
        VrrpInstance.Garp garp = new VrrpInstance.Garp(decimal(node, "garp_master_delay"), integer(node, "garp_master_repeat"),
            decimal(node, "garp_master_refresh"), integer(node, "garp_master_refresh_repeat"),
            decimal(node, "garp_lower_prio_delay"), integer(node, "garp_lower_prio_repeat"));
        return new VrrpInstance(name, state, value(node, "interface"), integer(node, "virtual_router_id"),
            integer(node, "priority"), decimal(node, "advert_int"), integer(node, "version"),
            node.child("nopreempt").isPresent(), decimal(node, "preempt_delay"), auth, value(node, "unicast_src_ip"), peers,
            tracked(node, "track_interface"), tracked(node, "track_script"), tracked(node, "track_file"),
            tracked(node, "track_process"), addresses(node, "virtual_ipaddress"), addresses(node, "virtual_ipaddress_excluded"),
            listEntries(node, "virtual_routes"), listEntries(node, "virtual_rules"), notify, garp, settings(node), node);
    }

    private static VrrpInstance.Notify notify(Statement node) {
        return new VrrpInstance.Notify(joined(node, "notify_master"), joined(node, "notify_backup"), joined(node, "notify_fault"),
            joined(node, "notify_stop"), joined(node, "notify"), joined(node, "notify_master_rx_lower_pri"));
    }

    private static List<VrrpInstance.Tracked> tracked(Statement node, String keyword) {
        List<VrrpInstance.Tracked> out = new ArrayList<>();
        node.children(keyword).forEach(block -> block.children().forEach(entry -> {
            List<String> words = entry.words();
            int w = words.indexOf("weight");
            OptionalInt weight = w >= 0 && w + 1 < words.size() ? Values.integer(words.get(w + 1)) : OptionalInt.empty();
            out.add(new VrrpInstance.Tracked(entry.keyword(), weight, words.contains("reverse"), entry));
        }));
        return out;
    }

    static List<VrrpInstance.VirtualAddress> addresses(Statement node, String keyword) {
        List<VrrpInstance.VirtualAddress> out = new ArrayList<>();
        node.children(keyword).forEach(block -> block.children().forEach(entry -> out.add(address(entry))));
        return out;
    }

    static VrrpInstance.VirtualAddress address(Statement entry) {
        String first = entry.keyword();
        int slash = first.indexOf('/');
        String address = slash < 0 ? first : first.substring(0, slash);
        OptionalInt prefix = slash < 0 ? OptionalInt.empty() : Values.integer(first.substring(slash + 1));
        List<String> words = entry.words();
        return new VrrpInstance.VirtualAddress(address, prefix, after(words, "dev"), after(words, "label"),
            after(words, "scope"), after(words, "brd").or(() -> after(words, "broadcast")), words.contains("no_track"), entry);
    }

    private static List<VrrpInstance.Entry> listEntries(Statement node, String keyword) {
        List<VrrpInstance.Entry> out = new ArrayList<>();
        node.children(keyword).forEach(block -> block.children().forEach(entry ->
            out.add(new VrrpInstance.Entry(entry.words(), after(entry.words(), "dev"), entry))));
        return out;
    }

    private static VirtualServer virtualServer(Statement node) {
        List<VirtualServer.RealServer> reals = new ArrayList<>();
        node.children("real_server").forEach(r -> reals.add(realServer(r)));
        return new VirtualServer(node.args(), value(node, "lb_algo"), value(node, "lb_kind").or(() -> value(node, "lvs_method")),
            value(node, "protocol"), decimal(node, "delay_loop"), integer(node, "persistence_timeout"), reals,
            node.child("sorry_server").map(ModelBuilder::realServer), settings(node), node);
    }

    private static VirtualServer.RealServer realServer(Statement node) {
        List<VirtualServer.Checker> checkers = new ArrayList<>();
        for (Statement child : node.children()) {
            if (child.hasBlock() && child.keyword().matches("[A-Z_]+_(GET|CHECK)")) {
                List<Map<String, List<String>>> urls = child.children("url").map(ModelBuilder::settings).toList();
                checkers.add(new VirtualServer.Checker(child.keyword(), settings(child), urls, child));
            }
        }
        return new VirtualServer.RealServer(node.arg(0).orElse(""), node.arg(1).map(Values::integer).orElse(OptionalInt.empty()),
            integer(node, "weight"), checkers, settings(node), node);
    }

    /** Every non-block keyword of a block with its arguments, the last occurrence winning. */
    private static Map<String, List<String>> settings(Statement node) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Statement child : node.children()) {
            if (!child.hasBlock() && child.kind() == Statement.Kind.KEYWORD) out.put(child.keyword(), child.args());
        }
        return out;
    }

    private static List<String> entries(Statement node, String keyword) {
        return node.child(keyword).map(b -> b.children().stream().map(Statement::keyword).toList()).orElse(List.of());
    }

    private static Optional<String> value(Statement node, String keyword) {
        return node.child(keyword).flatMap(n -> n.arg(0));
    }

    private static Optional<String> joined(Statement node, String keyword) {
        return node.child(keyword).filter(n -> n.wordCount() > 1).map(n -> String.join(" ", n.args()));
    }

    private static OptionalInt integer(Statement node, String keyword) {
        return value(node, keyword).map(Values::integer).orElse(OptionalInt.empty());
    }

    private static OptionalDouble decimal(Statement node, String keyword) {
        return value(node, keyword).map(Values::decimal).orElse(OptionalDouble.empty());
    }

    private static OptionalInt weight(Statement node) {
        return integer(node, "weight");
    }

    private static boolean hasWord(Statement node, String keyword, String word) {
        return node.child(keyword).map(n -> n.words().contains(word)).orElse(false);
    }

    private static Optional<String> after(List<String> words, String key) {
        int i = words.indexOf(key);
        return i >= 0 && i + 1 < words.size() ? Optional.of(words.get(i + 1)) : Optional.empty();
    }
}
