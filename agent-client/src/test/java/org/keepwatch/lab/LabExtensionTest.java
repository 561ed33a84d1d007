package org.keepwatch.lab;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What LabExtension brings back after a run that replaced a topology (lab/up --replace prints what it was). */
class LabExtensionTest {

    @Test
    void everyReplacedTopologyIsReadWithTheOptionsThatBringItBack() {
        String out = """
                lab/up: replacing the basic topology; it was: --nodes 3 --routers 3 --releases bullseye,host
                lab/up: the neutron topology is already up
                lab/up: replacing the neutron topology; it was: --neutron-routers 200
                lab/up: basic topology up: n1, n2, n3
                """;
        assertThat(LabExtension.replaced(out)).containsExactly(
                Map.entry("basic", List.of("--nodes", "3", "--routers", "3", "--releases", "bullseye,host")),
                Map.entry("neutron", List.of("--neutron-routers", "200")));
    }

    @Test
    void nothingReplacedNothingToBringBack() {
        assertThat(LabExtension.replaced("lab/up: the basic topology is already up\n")).isEmpty();
        assertThat(LabExtension.replaced("")).isEmpty();
    }
}
