package org.keepwatch.inventory;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Ansible inventory as Ansible's ini and yaml plugins read it: groups with hosts, vars and children, host
 * ranges, {@code host:port}, and variables merged from {@code all} down to the most specific group, then the
 * host's own. Nothing is evaluated: Jinja templates and vaulted values stay as they are written.
 */
public final class AnsibleInventory {

    /** A host with the variables that apply to it and its groups, most specific first. */
    public record Host(String name, List<String> groups, Map<String, Object> vars) {
    }

    /** A value encrypted with Ansible Vault ({@code !vault}): never decrypted here. */
    public record Vaulted(String tag) {
        @Override
        public String toString() {
            return "(encrypted with Ansible Vault)";
        }
    }

    private static final Pattern SECTION = Pattern.compile("\\[([^\\]]+)]\\s*");
    private static final Pattern PORT_SUFFIX = Pattern.compile("(.*[^:]):(\\d+)");
    private static final Set<String> YAML_GROUP_KEYS = Set.of("hosts", "vars", "children");
    private static final long MAX_SIZE = 16L * 1024 * 1024;

    private final Path file;
    private final Map<String, GroupData> groups = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> hostVars = new LinkedHashMap<>();
    private final Map<String, Set<String>> hostGroups = new LinkedHashMap<>();
    private final List<String> warnings = new ArrayList<>();

    private static final class GroupData {
        final Map<String, Object> vars = new LinkedHashMap<>();
        final Set<String> children = new LinkedHashSet<>();
        final Set<String> parents = new LinkedHashSet<>();
    }

    private AnsibleInventory(Path file) {
        this.file = file;
        group("all");
        group("ungrouped");
    }

    /** Reads an inventory file: YAML when it is named .yml/.yaml or looks like YAML, INI otherwise. */
    public static AnsibleInventory read(Path file) throws IOException {
        if (Files.size(file) > MAX_SIZE) {
            throw new InventoryException(file, 0, "larger than " + MAX_SIZE / (1024 * 1024) + " MB; not an inventory?");
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        AnsibleInventory inventory = new AnsibleInventory(file);
        if (looksLikeYaml(file, text)) {
            inventory.parseYaml(text);
        } else {
            inventory.parseIni(text);
        }
        return inventory;
    }

    public Path file() {
        return file;
    }

    /** What was skipped while reading (unknown keys), for the import dialog to show. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Every host in the order the file first names it. */
    public List<Host> hosts() {
        Map<String, Integer> depth = depths();
        List<Host> hosts = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> entry : hostVars.entrySet()) {
            String name = entry.getKey();
            Set<String> direct = hostGroups.getOrDefault(name, Set.of());
            Set<String> all = new LinkedHashSet<>();
            direct.forEach(g -> ancestors(g, all));
            all.add("all");
            // Ansible's order: shallow groups first, deeper ones override, names break ties; the host's own last.
            List<String> order = new ArrayList<>(all);
            order.sort(Comparator.comparingInt((String g) -> depth.getOrDefault(g, 0)).thenComparing(g -> g));
            Map<String, Object> vars = new LinkedHashMap<>();
            order.forEach(g -> vars.putAll(groups.get(g).vars));
            vars.putAll(entry.getValue());
            List<String> named = new ArrayList<>(direct);
            named.removeIf(g -> g.equals("all") || g.equals("ungrouped"));
            named.sort(Comparator.comparingInt((String g) -> -depth.getOrDefault(g, 0)));
            hosts.add(new Host(name, List.copyOf(named), vars));
        }
        return hosts;
    }

    // ---- INI -----------------------------------------------------------------------------------

    private enum Section { HOSTS, VARS, CHILDREN }

    private void parseIni(String text) throws InventoryException {
        String group = "ungrouped";
        Section section = Section.HOSTS;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int number = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            Matcher header = SECTION.matcher(line);
            if (header.matches()) {
                String[] parts = header.group(1).strip().split(":", 2);
                group = parts[0].strip();
                if (group.isEmpty() || group.chars().anyMatch(Character::isWhitespace)) {
                    throw new InventoryException(file, number, "group name \"" + group + "\" is empty or has a space");
                }
                section = parts.length == 1 ? Section.HOSTS : switch (parts[1].strip()) {
                    case "vars" -> Section.VARS;
                    case "children" -> Section.CHILDREN;
                    default -> throw new InventoryException(file, number, "section [" + header.group(1)
                            + "] is not [group], [group:vars] or [group:children]");
                };
                group(group);
                continue;
            }
            if (line.startsWith("[")) {
                throw new InventoryException(file, number, "section header " + line + " does not end with ]");
            }
            List<String> tokens = split(line, number);
            if (tokens.isEmpty()) {
                continue;
            }
            switch (section) {
                case HOSTS -> iniHost(group, tokens, number);
                case VARS -> {
                    int equals = line.indexOf('=');
                    if (equals <= 0) {
                        throw new InventoryException(file, number, "expected key=value in [" + group + ":vars], found "
                                + line);
                    }
                    groups.get(group).vars.put(line.substring(0, equals).strip(),
                            unquote(stripComment(line.substring(equals + 1)).strip()));
                }
                case CHILDREN -> {
                    if (tokens.size() != 1) {
                        throw new InventoryException(file, number, "expected one group name per line in ["
                                + group + ":children], found " + line);
                    }
                    child(group, tokens.get(0));
                }
            }
        }
    }

    private void iniHost(String group, List<String> tokens, int number) throws InventoryException {
        Map<String, Object> vars = new LinkedHashMap<>();
        for (String token : tokens.subList(1, tokens.size())) {
            int equals = token.indexOf('=');
            if (equals <= 0) {
                throw new InventoryException(file, number, "host variable \"" + token + "\" is not key=value");
            }
            vars.put(token.substring(0, equals), token.substring(equals + 1));
        }
        addHosts(group, tokens.get(0), vars, number);
    }

    /** Splits a host line on spaces, keeping quoted values together; a word starting with # ends the line. */
    private List<String> split(String line, int number) throws InventoryException {
        List<String> tokens = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        boolean inToken = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    current.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inToken = true;
            } else if (Character.isWhitespace(c)) {
                if (inToken) {
                    tokens.add(current.toString());
                    current.setLength(0);
                    inToken = false;
                }
            } else if (c == '#' && !inToken) {
                break;
            } else {
                current.append(c);
                inToken = true;
            }
        }
        if (quote != 0) {
            throw new InventoryException(file, number, "unclosed quote in " + line);
        }
        if (inToken) {
            tokens.add(current.toString());
        }
        return tokens;
    }

    private static String stripComment(String value) {
        int hash = value.indexOf(" #");
        return hash >= 0 ? value.substring(0, hash) : value;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    // ---- YAML ----------------------------------------------------------------------------------

    private void parseYaml(String text) throws InventoryException {
        Object root;
        try {
            root = yaml().load(text);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new InventoryException(file, line, "not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new InventoryException(file, 0, "not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            return;
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new InventoryException(file, 0, "expected groups at the top (all:, or group names), found a "
                    + kind(root));
        }
        for (Map.Entry<?, ?> entry : top.entrySet()) {
            yamlGroup(String.valueOf(entry.getKey()), entry.getValue(), new HashSet<>());
        }
    }

    private void yamlGroup(String name, Object definition, Set<String> path) throws InventoryException {
        group(name);
        if (definition == null) {
            return;
        }
        if (!(definition instanceof Map<?, ?> map)) {
            throw new InventoryException(file, 0, "group " + name + " should hold hosts:, vars: or children:, found a "
                    + kind(definition));
        }
        if (!path.add(name)) {
            throw new InventoryException(file, 0, "group " + name + " is its own child");
        }
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = String.valueOf(entry.getKey());
            Object value = entry.getValue();
            if (!YAML_GROUP_KEYS.contains(key)) {
                warnings.add("skipped \"" + key + "\" in group " + name + " (only hosts, vars and children count)");
                continue;
            }
            if (value == null) {
                continue;
            }
            if (!(value instanceof Map<?, ?> items)) {
                throw new InventoryException(file, 0, key + " of group " + name + " should be a mapping, found a "
                        + kind(value));
            }
            switch (key) {
                case "hosts" -> {
                    for (Map.Entry<?, ?> host : items.entrySet()) {
                        Object vars = host.getValue();
                        if (vars != null && !(vars instanceof Map)) {
                            throw new InventoryException(file, 0, "host " + host.getKey() + " in group " + name
                                    + " should have variables or nothing, found a " + kind(vars));
                        }
                        addHosts(name, String.valueOf(host.getKey()), strings(vars), 0);
                    }
                }
                case "vars" -> groups.get(name).vars.putAll(strings(items));
                default -> {
                    for (Map.Entry<?, ?> childEntry : items.entrySet()) {
                        String child = String.valueOf(childEntry.getKey());
                        child(name, child);
                        yamlGroup(child, childEntry.getValue(), path);
                    }
                }
            }
        }
        path.remove(name);
    }

    private static Map<String, Object> strings(Object map) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (map instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), v));
        }
        return out;
    }

    /** SafeConstructor builds only plain values; tags it does not know (Ansible's !vault) become markers. */
    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(50);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(50);
        SafeConstructor constructor = new SafeConstructor(options) {
            {
                this.yamlConstructors.put(null, new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        return new Vaulted(node.getTag().getValue());
                    }
                });
            }
        };
        return new Yaml(constructor);
    }

    private static boolean looksLikeYaml(Path file, String text) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".yml") || name.endsWith(".yaml")) {
            return true;
        }
        if (name.endsWith(".ini")) {
            return false;
        }
        for (String line : text.split("\r?\n")) {
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.startsWith("#") || stripped.startsWith(";")) {
                continue;
            }
            return stripped.equals("---") || (stripped.endsWith(":") && !stripped.startsWith("["));
        }
        return false;
    }

    private static String kind(Object value) {
        return value instanceof List ? "list" : value instanceof Map ? "mapping" : "value (" + value + ")";
    }

    // ---- the model both formats fill ------------------------------------------------------------

    private GroupData group(String name) {
        GroupData data = groups.computeIfAbsent(name, n -> new GroupData());
        if (!name.equals("all") && groups.get("all") != null && data.parents.isEmpty() && !name.equals("ungrouped")) {
            // Every group hangs under all until it is given another parent.
            data.parents.add("all");
        }
        return data;
    }

    private void child(String parent, String child) {
        group(parent);
        GroupData data = group(child);
        data.parents.remove("all");
        data.parents.add(parent);
        groups.get(parent).children.add(child);
    }

    private void addHosts(String group, String pattern, Map<String, Object> vars, int line) throws InventoryException {
        String names = pattern;
        Map<String, Object> own = new LinkedHashMap<>();
        Matcher port = PORT_SUFFIX.matcher(pattern);
        if (port.matches() && bracketsClosed(port.group(1))) {
            names = port.group(1);
            own.put("ansible_port", port.group(2));
        }
        own.putAll(vars);
        List<String> expanded;
        try {
            expanded = HostRanges.expand(names);
        } catch (IllegalArgumentException e) {
            throw new InventoryException(file, line, e.getMessage());
        }
        for (String name : expanded) {
            hostVars.computeIfAbsent(name, n -> new LinkedHashMap<>()).putAll(own);
            Set<String> memberOf = hostGroups.computeIfAbsent(name, n -> new LinkedHashSet<>());
            memberOf.add(group);
        }
    }

    /** A colon inside [a:b] belongs to a range, not to a port. */
    private static boolean bracketsClosed(String text) {
        return text.lastIndexOf('[') <= text.lastIndexOf(']');
    }

    private void ancestors(String group, Set<String> into) {
        if (!into.add(group)) {
            return;
        }
        GroupData data = groups.get(group);
        if (data != null) {
            data.parents.forEach(p -> ancestors(p, into));
        }
    }

    /** Each group's distance from all (all is 0); the deepest path counts, loops are cut. */
    private Map<String, Integer> depths() {
        Map<String, Integer> depth = new HashMap<>();
        for (String group : groups.keySet()) {
            depth(group, depth, new HashSet<>());
        }
        return depth;
    }

    private int depth(String group, Map<String, Integer> known, Set<String> visiting) {
        Integer cached = known.get(group);
        if (cached != null) {
            return cached;
        }
        if (group.equals("all") || !visiting.add(group)) {
            return 0;
        }
        int deepest = 0;
        for (String parent : groups.get(group).parents) {
            deepest = Math.max(deepest, depth(parent, known, visiting) + 1);
        }
        visiting.remove(group);
        known.put(group, deepest);
        return deepest;
    }
}
