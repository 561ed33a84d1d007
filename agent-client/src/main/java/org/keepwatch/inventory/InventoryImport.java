package org.keepwatch.inventory;

import org.keepwatch.fleet.ConnectionSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An Ansible inventory's hosts as fleet nodes: ansible_host, ansible_port, ansible_user,
 * ansible_ssh_private_key_file and ansible_become (also their old ansible_ssh_* names). Passwords and vaulted or
 * templated values are never imported; the candidate's notes say what was left out.
 */
public final class InventoryImport {

    private static final Set<String> PASSWORD_VARS = Set.of("ansible_password", "ansible_ssh_pass",
            "ansible_become_password", "ansible_become_pass", "ansible_sudo_pass");

    private InventoryImport() {
    }

    public static List<ImportCandidate> candidates(AnsibleInventory inventory) {
        return inventory.hosts().stream().map(InventoryImport::candidate).toList();
    }

    static ImportCandidate candidate(AnsibleInventory.Host host) {
        Map<String, Object> vars = host.vars();
        List<String> notes = new ArrayList<>();
        Optional<String> address = value(vars, notes, "ansible_host", "ansible_ssh_host");
        Optional<String> portText = value(vars, notes, "ansible_port", "ansible_ssh_port");
        Optional<Integer> port = Optional.empty();
        if (portText.isPresent()) {
            try {
                int p = Integer.parseInt(portText.get());
                if (p < 1 || p > 65535) {
                    throw new NumberFormatException();
                }
                port = Optional.of(p);
            } catch (NumberFormatException e) {
                notes.add("ansible_port " + portText.get() + " is not a port; left out");
            }
        }
        Optional<String> user = value(vars, notes, "ansible_user", "ansible_ssh_user");
        Optional<String> key = value(vars, notes, "ansible_ssh_private_key_file", "ansible_private_key_file");
        Optional<Boolean> sudo = value(vars, notes, "ansible_become").map(InventoryImport::truthy);
        if (sudo.orElse(false) && user.map("root"::equals).orElse(false)) {
            sudo = Optional.empty();
        }
        value(vars, notes, "ansible_become_method").filter(m -> !m.equals("sudo"))
                .ifPresent(m -> notes.add("ansible_become_method " + m + ": Keepwatch only uses sudo"));
        if (vars.keySet().stream().anyMatch(PASSWORD_VARS::contains)) {
            notes.add("a password is set in the inventory; Keepwatch never stores one and asks when connecting");
        }
        value(vars, notes, "ansible_connection").filter(c -> !c.equals("ssh") && !c.equals("paramiko")
                && !c.equals("smart")).ifPresent(c -> notes.add("ansible_connection is " + c + ", not ssh"));
        if (vars.containsKey("ansible_ssh_common_args") || vars.containsKey("ansible_ssh_extra_args")) {
            notes.add("ansible_ssh_common_args/extra_args are not imported (set Jump host by hand if it has -J)");
        }
        ConnectionSettings settings = new ConnectionSettings(address.filter(a -> !a.equals(host.name())), port, user,
                key, Optional.empty(), sudo, Optional.empty());
        String connectsTo = user.map(u -> u + "@").orElse("") + address.orElse(host.name())
                + port.filter(p -> p != 22).map(p -> ":" + p).orElse("");
        return new ImportCandidate(host.name(), settings, host.groups(), connectsTo, notes);
    }

    /** The first of {@code names} that is set, as text; vaulted and templated values are noted and left out. */
    private static Optional<String> value(Map<String, Object> vars, List<String> notes, String... names) {
        for (String name : names) {
            Object value = vars.get(name);
            if (value == null) {
                continue;
            }
            if (value instanceof AnsibleInventory.Vaulted) {
                notes.add(name + " is encrypted with Ansible Vault; left out");
                return Optional.empty();
            }
            String text = String.valueOf(value).strip();
            if (text.contains("{{") || text.contains("{%")) {
                notes.add(name + " is a template (" + text + "); left out");
                return Optional.empty();
            }
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        }
        return Optional.empty();
    }

    private static boolean truthy(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1", "y" -> true;
            default -> false;
        };
    }
}
