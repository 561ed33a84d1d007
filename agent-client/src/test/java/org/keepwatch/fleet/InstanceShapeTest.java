package org.keepwatch.fleet;

import org.junit.jupiter.api.Test;
import org.keepwatch.agent.InstanceState;
import org.keepwatch.agent.ProtocolJson;

import static org.assertj.core.api.Assertions.assertThat;

/** An instance's shape, from the agent's record (as a shapes lab node sends it) to the words a table shows. */
class InstanceShapeTest {

    private static InstanceObservation read(String record) throws Exception {
        return AgentTranslation.instance("s1", "keepalived", "", ProtocolJson.mapper().readValue(record, InstanceState.class));
    }

    @Test
    void aPlainInstanceHasNoShapeWords() throws Exception {
        InstanceObservation plain = read("""
                {"instance": "VI_1", "vrid": 51, "state": "MASTER", "base_priority": 150, "effective_priority": 150,
                 "interface": "eth0", "vmac_interface": null, "advert_int": 1, "version": 2, "nopreempt": false,
                 "preempt_delay": 0, "vips": ["10.77.0.101/24"], "excluded_vips": [], "unicast_peers": [],
                 "track_scripts": [], "track_interfaces": [], "sync_group": null}
                """);
        assertThat(plain.shape()).isEqualTo(InstanceShape.PLAIN);
        assertThat(plain.shapeWords()).isEmpty();
    }

    @Test
    void vmacTrackingASyncGroupUnicastAndManyVipsAreSaid() throws Exception {
        InstanceObservation shaped = read("""
                {"instance": "SH_SYNC_A", "vrid": 78, "state": "MASTER", "base_priority": 150, "effective_priority": 150,
                 "interface": "eth0", "vmac_interface": "vrrp.78", "advert_int": 1, "version": 3, "nopreempt": true,
                 "preempt_delay": 5, "vips": ["10.77.1.1/32", "10.77.1.2/32", "10.77.1.3/32", "fd00:77::78/64"],
                 "excluded_vips": ["10.77.2.1/32"], "unicast_peers": ["10.77.0.32", "10.77.0.33"],
                 "track_scripts": ["kw_shapes_check"], "track_interfaces": ["eth1"],
                 "sync_group": "SH_GROUP"}
                """);
        assertThat(shaped.shape()).isEqualTo(new InstanceShape(java.util.Optional.of("vrrp.78"), java.util.List.of("eth1"),
                java.util.List.of("kw_shapes_check"), java.util.Optional.of("SH_GROUP"), 5));
        assertThat(shaped.shapeWords()).isEqualTo("v3 · IPv6 · unicast to 10.77.0.32, 10.77.0.33 · VMAC vrrp.78 · sync group SH_GROUP"
                + " · tracks eth1, script kw_shapes_check · nopreempt · preempt delay 5 s · 4 VIPs (+1 excluded)");
        assertThat(shaped.withState(VrrpState.BACKUP).shape()).as("kept by a state change").isEqualTo(shaped.shape());
    }

    @Test
    void anAgentBeforeSyncGroupsAndTrackingSaysNothingOfThem() throws Exception {
        InstanceObservation older = read("""
                {"instance": "VI_1", "vrid": 51, "state": "BACKUP", "base_priority": 100, "effective_priority": 100,
                 "interface": "eth0", "advert_int": 1, "version": 2, "nopreempt": false, "vips": ["10.77.0.101/24"]}
                """);
        assertThat(older.shape()).isEqualTo(InstanceShape.PLAIN);
    }
}
