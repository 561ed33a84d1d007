package org.keepwatch.lab;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** After the first election every lab router has exactly one MASTER, and it is the one holding the VIP. */
@Tag("lab")
@Tag("mixed-fleet")   // CI runs it once, on the mixed fleet (.ci/run)
@ExtendWith(LabExtension.class)
class LabElectionTest {

    @Test
    void everyPlainRouterHasOneMasterTheHighestPriorityNode(Lab lab) {
        LabStatus status = lab.awaitHealthy(Duration.ofSeconds(30));
        Map<String, String> expectedMaster = Map.of("vrid 51", "n1", "vrid 52", "n2", "vrid 53", "n3");
        expectedMaster.forEach((router, master) -> {
            LabStatus.Router r = status.router(router).orElseThrow();
            assertThat(r.members()).hasSize(3);
            assertThat(r.masters()).containsExactly(master);
            LabStatus.Member top = r.members().stream().max((a, b) -> a.priority() - b.priority()).orElseThrow();
            assertThat(top.node()).isEqualTo(master);
            // Every node runs with a distinct priority in each router.
            assertThat(r.members().stream().map(LabStatus.Member::priority).distinct()).hasSize(3);
            assertThat(r.vipHolders().values()).allSatisfy(holders -> assertThat(holders).containsExactly(master));
            assertThat(lab.holders(List.of("n1", "n2", "n3"), r.vips().get(0))).containsExactly(master);
        });
    }

    @Test
    void everyNeutronRouterHasOneMasterInItsQrouterNamespace(Lab lab) {
        LabStatus status = lab.awaitHealthy(Duration.ofSeconds(30));
        List<LabStatus.Router> neutron = status.routers().stream()
                .filter(r -> !r.router().startsWith("vrid")).toList();
        assertThat(neutron).hasSizeGreaterThanOrEqualTo(5);
        assertThat(neutron).allSatisfy(r -> {
            assertThat(r.members()).extracting(LabStatus.Member::node).containsExactlyInAnyOrder("net1", "net2");
            assertThat(r.members()).allSatisfy(m -> {
                assertThat(m.netns()).isEqualTo("qrouter-" + r.router());
                assertThat(m.priority()).isEqualTo(50);
                assertThat(m.instance()).isEqualTo("VR_" + r.vrid());
            });
            assertThat(r.masters()).hasSize(1);
            assertThat(r.vips()).containsExactly("169.254.0." + r.vrid());
        });
    }
}
