package org.keepwatch.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent's messages, as it writes them (lines taken from a lab node), read into the protocol records. */
class ProtocolRecordsTest {

    private final ObjectMapper json = ProtocolJson.mapper();

    @Test
    void readsASnapshotWithAHungDaemonAndAnOrphan() throws Exception {
        String result = """
                {"daemons": [{"name": "keepalived", "alive": true, "responsive": false, "pid": 21, "netns": null,
                  "snapshot_ts": 1795691367.9, "source": "json",
                  "error": {"code": "timeout", "message": "keepalived did not write its dump within 2.0 s", "ts": 1795691370.1},
                  "stopped_reason": null,
                  "instances": [{"instance": "VI_1", "vrid": 51, "state": "MASTER", "wantstate": "MASTER",
                    "base_priority": 150, "effective_priority": 150, "master_priority": 0, "interface": "eth0",
                    "vmac_interface": null, "advert_int": 1, "version": 2, "nopreempt": false, "preempt_delay": 0,
                    "auth_type": "PASS", "last_transition": 1795691366.744223, "vips_set": true,
                    "vips": ["10.77.0.101/24"], "excluded_vips": [], "track_scripts": [], "track_interfaces": [],
                    "stats": {"advert_rcvd": 0, "advert_sent": 2, "become_master": 1, "release_master": 0}}]}],
                 "vips_present": [{"address": "10.77.0.101", "prefix": 24, "ifname": "eth0", "netns": null,
                   "daemon": "keepalived", "instance": "VI_1", "orphan": false}],
                 "orphans": [], "vips_observed": true, "subscribed": true, "heartbeat_interval": 2.0}
                """;
        StateSnapshot snapshot = json.readValue(result, StateSnapshot.class);
        DaemonState daemon = snapshot.daemons().get(0);
        assertThat(daemon.responsive()).isFalse();
        assertThat(daemon.error()).hasValueSatisfying(e -> assertThat(e.describe()).contains("did not write its dump"));
        assertThat(daemon.netns()).isEmpty();
        InstanceState instance = daemon.instances().get(0);
        assertThat(instance.interfaceName()).contains("eth0");
        assertThat(instance.vips()).containsExactly("10.77.0.101/24");
        assertThat(instance.stat("advert_sent")).isEqualTo(2);
        assertThat(snapshot.vipsPresent().get(0).daemon()).contains("keepalived");
        assertThat(snapshot.heartbeatInterval()).contains(2.0);
    }

    @Test
    void readsEveryEventKind() throws Exception {
        AgentEvent state = AgentEvent.parse(json.readTree("""
                {"event": "state", "ts": 1795691380.366066, "instance": "VI_1", "vrid": 51, "state": "MASTER",
                 "base_priority": 100, "effective_priority": 100, "interface": "eth0", "advert_int": 1, "version": 2,
                 "vips": ["10.77.0.101/24"], "daemon": "keepalived", "netns": null, "changed": ["state"],
                 "cause": "vip", "prev_state": "BACKUP"}"""), json);
        assertThat(state).isInstanceOfSatisfying(AgentEvent.State.class, s -> {
            assertThat(s.instance().state()).isEqualTo("MASTER");
            assertThat(s.prevState()).contains("BACKUP");
            assertThat(s.changed()).containsExactly("state");
        });
        AgentEvent vip = AgentEvent.parse(json.readTree("""
                {"event": "vip", "ts": 1795691378.96, "action": "orphaned", "address": "10.77.0.101", "prefix": 24,
                 "ifname": "eth0", "netns": null, "reason": "daemon_dead", "daemon": "keepalived", "instance": "VI_1",
                 "state": "MASTER", "orphan": true}"""), json);
        assertThat(vip).isInstanceOfSatisfying(AgentEvent.Vip.class, v -> {
            assertThat(v.action()).isEqualTo("orphaned");
            assertThat(v.vip().orphan()).isTrue();
            assertThat(v.vip().reason()).contains("daemon_dead");
        });
        AgentEvent daemon = AgentEvent.parse(json.readTree("""
                {"event": "daemon", "ts": 1795691377.46, "daemon": "keepalived", "action": "died", "pid": 21,
                 "zombie": false, "pid_file_left": true, "instances": []}"""), json);
        assertThat(daemon).isInstanceOfSatisfying(AgentEvent.Daemon.class, d -> assertThat(d.action()).isEqualTo("died"));
        AgentEvent heartbeat = AgentEvent.parse(json.readTree("""
                {"event": "heartbeat", "ts": 1795691369.92, "seq": 1, "uptime_s": 2.0, "daemons": 1,
                 "agent": {"rss_kb": 14088, "cpu_s": 0.12}}"""), json);
        assertThat(heartbeat).isEqualTo(new AgentEvent.Heartbeat(1795691369.92, 1, 1));
        AgentEvent future = AgentEvent.parse(json.readTree("{\"event\": \"something.new\", \"ts\": 1.0}"), json);
        assertThat(future).isInstanceOf(AgentEvent.Other.class);
    }
}
