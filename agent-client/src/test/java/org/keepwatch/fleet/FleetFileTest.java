package org.keepwatch.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FleetFileTest {

    /** What lab/up writes (lab/kwlab/fleet.py), plus fields a newer Keepwatch might add. */
    private static final String LAB_FLEET = """
            {
              "version": 1,
              "name": "keepwatch-lab",
              "color": "blue",
              "groups": [
                {"name": "lab", "description": "Keepwatch lab", "defaults": {"user": "root", "port": 22},
                 "site": "rack 4"}
              ],
              "nodes": [
                {"name": "n1", "group": "lab", "host": "10.77.0.11", "port": 22, "user": "root",
                 "identityFile": "/var/lib/kw-lab/keys/id_ed25519",
                 "knownHostsFile": "/var/lib/kw-lab/keys/known_hosts", "sudo": false, "pinned": true},
                {"name": "n2", "group": "lab", "host": "10.77.0.12", "user": "admin", "sudo": true},
                {"name": "bastion-only", "jumpHost": "bastion"}
              ]
            }
            """;

    @Test
    void readsTheLabsFleetFileWithGroupDefaultsAndOverrides(@TempDir Path dir) throws IOException {
        Fleet fleet = FleetFile.read(Files.writeString(dir.resolve("fleet.json"), LAB_FLEET));
        assertThat(fleet.name()).isEqualTo("keepwatch-lab");
        assertThat(fleet.nodes()).extracting(FleetNode::name).containsExactly("n1", "n2", "bastion-only");
        ConnectionSettings n2 = fleet.effectiveSettings(fleet.node("n2").orElseThrow());
        assertThat(n2.host()).contains("10.77.0.12");
        assertThat(n2.port()).as("from the group's defaults").contains(22);
        assertThat(n2.user()).as("the node's own value wins").contains("admin");
        assertThat(n2.sudo()).contains(true);
        ConnectionSettings alone = fleet.effectiveSettings(fleet.node("bastion-only").orElseThrow());
        assertThat(alone.host()).as("no host: the name goes to ssh_config").isEmpty();
        assertThat(alone.jumpHost()).contains("bastion");
    }

    @Test
    void writingKeepsFieldsThisVersionDoesNotKnow(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("fleet.json"), LAB_FLEET);
        Fleet fleet = FleetFile.read(file);
        FleetNode n1 = fleet.node("n1").orElseThrow();
        Fleet edited = fleet.withNode(n1.withSettings(new ConnectionSettings(Optional.of("10.77.0.111"), Optional.of(2222),
                        n1.settings().user(), n1.settings().identityFile(), n1.settings().knownHostsFile(),
                        Optional.of(false), Optional.empty())))
                .withNode(FleetNode.of("n3", "lab", ConnectionSettings.NONE))
                .withoutNode("bastion-only");
        FleetFile.write(file, edited);

        String written = Files.readString(file);
        assertThat(written).contains("\"color\" : \"blue\"", "\"site\" : \"rack 4\"", "\"pinned\" : true");
        Fleet reread = FleetFile.read(file);
        assertThat(reread.nodes()).extracting(FleetNode::name).containsExactly("n1", "n2", "n3");
        assertThat(reread.node("n1").orElseThrow().settings().host()).contains("10.77.0.111");
        assertThat(reread.node("n1").orElseThrow().settings().port()).contains(2222);
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("fleet.json");
        }
    }

    @Test
    void aGroupRemovedLeavesItsNodesUngrouped(@TempDir Path dir) throws IOException {
        Fleet fleet = FleetFile.read(Files.writeString(dir.resolve("fleet.json"), LAB_FLEET)).withoutGroup("lab");
        assertThat(fleet.groups()).isEmpty();
        assertThat(fleet.nodes()).allSatisfy(n -> assertThat(n.group()).isEmpty());
    }

    @Test
    void badJsonNamesTheFileLineAndColumn(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("fleet.json"), "{\n  \"nodes\": [\n    {\"name\": \"n1\",,}\n  ]\n}\n");
        assertThatThrownBy(() -> FleetFile.read(file))
                .isInstanceOf(FleetFile.FleetFileException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("line 3, column");
    }

    @Test
    void badValuesNameTheNodeAndField(@TempDir Path dir) throws IOException {
        Path port = Files.writeString(dir.resolve("port.json"), "{\"nodes\": [{\"name\": \"n1\", \"port\": 70000}]}");
        assertThatThrownBy(() -> FleetFile.read(port)).hasMessageContaining("nodes[0] (n1).port")
                .hasMessageContaining("not between 1 and 65535");
        Path twice = Files.writeString(dir.resolve("twice.json"), "{\"nodes\": [{\"name\": \"n1\"}, {\"name\": \"n1\"}]}");
        assertThatThrownBy(() -> FleetFile.read(twice)).hasMessageContaining("node n1 is listed twice");
        Path nameless = Files.writeString(dir.resolve("nameless.json"), "{\"nodes\": [{\"host\": \"a\"}]}");
        assertThatThrownBy(() -> FleetFile.read(nameless)).hasMessageContaining("nodes[0]").hasMessageContaining("needs a \"name\"");
        Path sudo = Files.writeString(dir.resolve("sudo.json"), "{\"nodes\": [{\"name\": \"n1\", \"sudo\": \"yes\"}]}");
        assertThatThrownBy(() -> FleetFile.read(sudo)).hasMessageContaining("sudo").hasMessageContaining("true or false");
        Path newer = Files.writeString(dir.resolve("newer.json"), "{\"version\": 9, \"nodes\": []}");
        assertThatThrownBy(() -> FleetFile.read(newer)).hasMessageContaining("newer than this Keepwatch reads");
        Path binary = Files.write(dir.resolve("binary.json"), new byte[]{(byte) 0xff, (byte) 0xfe, 0, 1});
        assertThatThrownBy(() -> FleetFile.read(binary)).isInstanceOf(FleetFile.FleetFileException.class);
    }
}
