package org.keepwatch.inventory;

import org.keepwatch.testing.RequiredCommands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.keepwatch.fleet.ConnectionSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real inventory files (INI and YAML) read as Ansible reads them, and what an import makes of each host. */
class AnsibleInventoryTest {

    @TempDir
    Path dir;

    static Path fixture(String name) {
        return InventoryFixtures.file(name);
    }

    private static Map<String, ImportCandidate> candidates(Path file) throws IOException {
        Map<String, ImportCandidate> byName = new LinkedHashMap<>();
        InventoryImport.candidates(AnsibleInventory.read(file)).forEach(c -> byName.put(c.name(), c));
        return byName;
    }

    @Test
    void iniHostsGroupsRangesPortsAndVariablesByPrecedence() throws IOException {
        Map<String, ImportCandidate> hosts = candidates(fixture("inventory.ini"));
        assertThat(hosts.keySet()).containsExactly("bastion.example.net", "lb01.example.net", "lb02.example.net",
                "lb03.example.net", "lb-test.example.net", "gw-a", "gw-b", "gw-c");

        // [site_a:vars] beats [all:vars]; [lb:vars] (deeper) adds become; host vars beat both.
        ImportCandidate lb01 = hosts.get("lb01.example.net");
        assertThat(lb01.groups()).containsExactly("lb");
        assertThat(lb01.settings()).isEqualTo(settings(null, 22, "netops", null, true));
        assertThat(lb01.connectsTo()).isEqualTo("netops@lb01.example.net");
        ImportCandidate test = hosts.get("lb-test.example.net");
        assertThat(test.settings().port()).contains(2222);
        assertThat(test.settings().user()).contains("ops team");

        ImportCandidate gwA = hosts.get("gw-a");
        assertThat(gwA.settings()).isEqualTo(settings("192.0.2.10", 22, "netops", "~/.ssh/gw_ed25519", null));
        assertThat(hosts.get("gw-b").settings().port()).contains(2200);
        assertThat(hosts.get("gw-b").settings().sudo()).contains(true);
        assertThat(hosts.get("bastion.example.net").groups()).isEmpty();
        assertThat(hosts.get("bastion.example.net").settings().user()).contains("jump");

        // A template is not resolved and a password is never imported: both are said.
        ImportCandidate gwC = hosts.get("gw-c");
        assertThat(gwC.settings().host()).isEmpty();
        assertThat(gwC.notes()).anySatisfy(n -> assertThat(n).contains("ansible_host is a template"))
                .anySatisfy(n -> assertThat(n).contains("never stores"));
    }

    @Test
    void yamlHostsChildrenRangesVaultAndOldVariableNames() throws IOException {
        AnsibleInventory inventory = AnsibleInventory.read(fixture("inventory.yml"));
        Map<String, ImportCandidate> hosts = candidates(fixture("inventory.yml"));
        assertThat(hosts.keySet()).containsExactlyInAnyOrder("mail.example.net", "edgea.example.net",
                "edgeb.example.net", "edgec.example.net", "edge-z.example.net", "core1", "core2", "loner");
        assertThat(hosts.get("edgeb.example.net").groups()).containsExactly("edge");
        assertThat(hosts.get("edgeb.example.net").settings()).isEqualTo(settings(null, null, "netops", null, true));
        // root needs no sudo, whatever become says.
        assertThat(hosts.get("edge-z.example.net").settings()).isEqualTo(settings("198.51.100.9", 2022, "root", null, null));
        ImportCandidate core1 = hosts.get("core1");
        assertThat(core1.settings().identityFile()).contains("/etc/keys/core");
        assertThat(core1.notes()).anySatisfy(n -> assertThat(n).contains("never stores"));
        assertThat(hosts.get("core2").settings().host()).contains("10.0.0.2");
        assertThat(hosts.get("core2").settings().port()).contains(2201);
        assertThat(hosts.get("mail.example.net").settings().user()).contains("fallback");
        assertThat(inventory.warnings()).containsExactly(
                "skipped \"weird_key\" in group core (only hosts, vars and children count)");
    }

    /** ansible-inventory itself must see the same hosts, groups and variables. */
    @ParameterizedTest
    @ValueSource(strings = {"inventory.ini", "inventory.yml"})
    void agreesWithAnsibleInventory(String name) throws Exception {
        RequiredCommands.require("ansible-inventory", "ansible-core");
        Path file = fixture(name);
        Process process = new ProcessBuilder("ansible-inventory", "-i", file.toString(), "--list")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        JsonNode hostvars = new ObjectMapper().readTree(new String(out, StandardCharsets.UTF_8)).path("_meta").path("hostvars");
        AnsibleInventory ours = AnsibleInventory.read(file);
        assertThat(ours.hosts()).extracting(AnsibleInventory.Host::name)
                .containsExactlyInAnyOrderElementsOf(() -> hostvars.fieldNames());
        for (AnsibleInventory.Host host : ours.hosts()) {
            JsonNode theirs = hostvars.path(host.name());
            for (String variable : List.of("ansible_host", "ansible_port", "ansible_user", "ansible_ssh_private_key_file",
                    "ansible_become", "ansible_ssh_host", "ansible_ssh_port")) {
                Object mine = host.vars().get(variable);
                String expected = theirs.has(variable) ? theirs.get(variable).asText() : null;
                assertThat(mine == null ? null : String.valueOf(mine).toLowerCase()).as("%s %s", host.name(), variable)
                        .isEqualTo(expected == null ? null : expected.toLowerCase());
            }
        }
    }

    @Test
    void rangesExpandLikeAnsible() {
        assertThat(HostRanges.expand("web[01:03].example")).containsExactly("web01.example", "web02.example", "web03.example");
        assertThat(HostRanges.expand("db-[a:c]")).containsExactly("db-a", "db-b", "db-c");
        assertThat(HostRanges.expand("n[1:9:4]")).containsExactly("n1", "n5", "n9");
        assertThat(HostRanges.expand("r[1:2]-[a:b]")).containsExactly("r1-a", "r1-b", "r2-a", "r2-b");
        assertThat(HostRanges.expand("plain")).containsExactly("plain");
        assertThatThrownBy(() -> HostRanges.expand("x[5:1]")).hasMessageContaining("empty");
        assertThatThrownBy(() -> HostRanges.expand("x[1:a]")).hasMessageContaining("mixes");
        assertThatThrownBy(() -> HostRanges.expand("x[0:99999]")).hasMessageContaining("more than 10000");
    }

    @Test
    void problemsNameTheFileAndLine() throws IOException {
        Path ini = Files.writeString(dir.resolve("hosts"), "[web]\nweb1\n[web:extra]\n");
        assertThatThrownBy(() -> AnsibleInventory.read(ini)).isInstanceOf(InventoryException.class)
                .hasMessage(ini + " line 3: section [web:extra] is not [group], [group:vars] or [group:children]");
        Path vars = Files.writeString(dir.resolve("vars.ini"), "[web]\nweb1 port2222\n");
        assertThatThrownBy(() -> AnsibleInventory.read(vars)).hasMessage(vars + " line 2: host variable \"port2222\" is not key=value");
        Path yaml = Files.writeString(dir.resolve("bad.yml"), "all:\n  hosts:\n    a: [1, 2\n");
        assertThatThrownBy(() -> AnsibleInventory.read(yaml)).hasMessageStartingWith(yaml + " line 4: not valid YAML");
        Path list = Files.writeString(dir.resolve("list.yml"), "- a\n- b\n");
        assertThatThrownBy(() -> AnsibleInventory.read(list)).hasMessageContaining("expected groups at the top");
    }

    @Test
    void aYamlAliasBombIsRefused() throws IOException {
        StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'z'; c++) {
            char prev = (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [*").append(prev).append(", *").append(prev).append(", *")
                    .append(prev).append("]\n");
        }
        Path file = Files.writeString(dir.resolve("bomb.yml"), bomb.toString());
        assertThatThrownBy(() -> AnsibleInventory.read(file)).isInstanceOf(InventoryException.class)
                .hasMessageContaining("not valid YAML").hasMessageContaining("aliases");
    }

    private static ConnectionSettings settings(String host, Integer port, String user, String key, Boolean sudo) {
        return new ConnectionSettings(Optional.ofNullable(host), Optional.ofNullable(port), Optional.ofNullable(user),
                Optional.ofNullable(key), Optional.empty(), Optional.ofNullable(sudo), Optional.empty());
    }

}
