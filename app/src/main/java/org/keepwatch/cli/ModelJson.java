package org.keepwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.keepwatch.config.KeepalivedConfig;
import org.keepwatch.config.Location;
import org.keepwatch.config.VirtualServer;
import org.keepwatch.config.VrrpInstance;

/** The typed configuration as JSON: absent values are left out, every element says where it was written. */
final class ModelJson {
    private final ObjectMapper json;

    ModelJson(ObjectMapper json) {
        this.json = json;
    }

    ObjectNode toJson(KeepalivedConfig config) {
        ObjectNode root = json.createObjectNode().put("configId", config.configId());
        ObjectNode global = root.putObject("globalDefs");
        config.globalDefs().routerId().ifPresent(r -> global.put("routerId", r));
        global.put("enableScriptSecurity", config.globalDefs().enableScriptSecurity());
        global.set("settings", json.valueToTree(config.globalDefs().settings()));
        ArrayNode instances = root.putArray("instances");
        config.instances().forEach(i -> instances.add(instance(i)));
        ArrayNode scripts = root.putArray("scripts");
        for (var s : config.scripts()) {
            ObjectNode node = scripts.addObject().put("name", s.name());
            s.script().ifPresent(v -> node.put("script", v));
            put(node, "interval", s.interval());
            put(node, "weight", s.weight());
            put(node, "rise", s.rise());
            put(node, "fall", s.fall());
            where(node, s.node().location());
        }
        ArrayNode groups = root.putArray("syncGroups");
        config.syncGroups().forEach(g -> groups.addObject().put("name", g.name()).set("members", json.valueToTree(g.members())));
        ArrayNode servers = root.putArray("virtualServers");
        config.virtualServers().forEach(v -> servers.add(virtualServer(v)));
        return root;
    }

    private ObjectNode instance(VrrpInstance i) {
        ObjectNode node = json.createObjectNode().put("name", i.name());
        i.state().ifPresent(s -> node.put("state", s.name()));
        i.interfaceName().ifPresent(s -> node.put("interface", s));
        put(node, "virtualRouterId", i.virtualRouterId());
        node.put("priority", i.effectivePriority());
        put(node, "advertInt", i.advertInt());
        put(node, "version", i.version());
        node.put("nopreempt", i.nopreempt());
        i.authentication().ifPresent(a -> {
            ObjectNode auth = node.putObject("authentication");
            a.type().ifPresent(t -> auth.put("type", t));
            a.pass().ifPresent(p -> auth.put("pass", p));
        });
        i.unicastSrcIp().ifPresent(s -> node.put("unicastSrcIp", s));
        node.set("unicastPeers", json.valueToTree(i.unicastPeers().stream().map(VrrpInstance.UnicastPeer::address).toList()));
        node.set("virtualIpAddresses", addresses(i.virtualAddresses()));
        node.set("virtualIpAddressesExcluded", addresses(i.excludedAddresses()));
        node.set("virtualRoutes", json.valueToTree(i.virtualRoutes().stream().map(VrrpInstance.Entry::text).toList()));
        node.set("virtualRules", json.valueToTree(i.virtualRules().stream().map(VrrpInstance.Entry::text).toList()));
        node.set("trackInterfaces", tracked(i.trackInterfaces()));
        node.set("trackScripts", tracked(i.trackScripts()));
        ObjectNode notify = node.putObject("notify");
        var n = i.notifyScripts();
        put(notify, "master", n.master());
        put(notify, "backup", n.backup());
        put(notify, "fault", n.fault());
        put(notify, "stop", n.stop());
        put(notify, "any", n.any());
        where(node, i.node().location());
        return node;
    }

    private ArrayNode addresses(List<VrrpInstance.VirtualAddress> list) {
        ArrayNode out = json.createArrayNode();
        for (var a : list) {
            ObjectNode node = out.addObject().put("address", a.address()).put("cidr", a.cidr());
            put(node, "dev", a.dev());
            put(node, "label", a.label());
            put(node, "scope", a.scope());
            if (a.noTrack()) node.put("noTrack", true);
        }
        return out;
    }

    private ArrayNode tracked(List<VrrpInstance.Tracked> list) {
        ArrayNode out = json.createArrayNode();
        for (var t : list) {
            ObjectNode node = out.addObject().put("name", t.name());
            put(node, "weight", t.weight());
            if (t.reverse()) node.put("reverse", true);
        }
        return out;
    }

    private ObjectNode virtualServer(VirtualServer v) {
        ObjectNode node = json.createObjectNode().put("name", v.name());
        put(node, "lbAlgo", v.lbAlgo());
        put(node, "lbKind", v.lbKind());
        put(node, "protocol", v.protocol());
        ArrayNode reals = node.putArray("realServers");
        for (var r : v.realServers()) {
            ObjectNode real = reals.addObject().put("address", r.address());
            put(real, "port", r.port());
            put(real, "weight", r.weight());
            ArrayNode checkers = real.putArray("checkers");
            for (var c : r.checkers()) {
                ObjectNode checker = checkers.addObject().put("type", c.type());
                checker.set("settings", json.valueToTree((Map<String, List<String>>) c.settings()));
            }
        }
        where(node, v.node().location());
        return node;
    }

    private static void where(ObjectNode node, Location location) {
        node.put("file", location.file()).put("line", location.line());
    }

    private static void put(ObjectNode node, String key, Optional<String> value) {
        value.ifPresent(v -> node.put(key, v));
    }

    private static void put(ObjectNode node, String key, OptionalInt value) {
        if (value.isPresent()) node.put(key, value.getAsInt());
    }

    private static void put(ObjectNode node, String key, OptionalDouble value) {
        if (value.isPresent()) node.put(key, value.getAsDouble());
    }
}
