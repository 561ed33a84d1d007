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
                  "stopped_reason": null, "version": "2.3.3", "own_root": false, "neutron_router": null,
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
        // what kind of daemon: the version it runs, in a container, not Neutron's
        assertThat(daemon.version()).contains("2.3.3");
        assertThat(daemon.ownRoot()).contains(false);
        assertThat(daemon.neutronRouter()).isEmpty();
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
        AgentEvent config = AgentEvent.parse(json.readTree("""
                {"event": "config", "ts": 1795691390.5, "daemon": "keepalived", "action": "changed",
                 "config": "/etc/keepalived/keepalived.conf"}"""), json);
        assertThat(config).isEqualTo(new AgentEvent.Config(1795691390.5, "keepalived", "changed",
                java.util.Optional.of("/etc/keepalived/keepalived.conf")));
        AgentEvent future = AgentEvent.parse(json.readTree("{\"event\": \"something.new\", \"ts\": 1.0}"), json);
        assertThat(future).isInstanceOf(AgentEvent.Other.class);
    }
    @Test
    void readsAnApplyTheLastAgentLeftUnfinishedAndSaysItInWords() throws Exception {
        Hello hello = json.readValue("""
                {"protocol": 1, "agent": "keepwatch-agent", "agent_version": "0.1.0", "hostname": "n1", "pid": 7,
                 "root": true, "user": "alice", "python": "3.11.2", "keepalived": null,
                 "capabilities": {"ops": [], "events": [], "pidfd": true, "max_request_bytes": 4194304}, "settings": {},
                 "unfinished_applies": [{"daemon": "keepalived", "config": "/etc/keepalived/keepalived.conf", "op": "apply",
                   "request_id": 5, "reason": "raise B", "restored_from": null, "ts": 1795690894.0,
                   "time": "2026-11-26T11:01:34.000000Z", "user": "alice", "ssh_client": null, "agent_pid": 4242,
                   "outcome": null, "on_disk": "mixed", "cleared": false,
                   "files": [{"path": "/etc/keepalived/keepalived.conf", "target": "/etc/keepalived/keepalived.conf",
                     "old_sha256": "c0ffee", "new_sha256": "beef", "backup": "20261126T110134.000000Z-c0ffee.conf", "on_disk": "new"},
                    {"path": "/etc/keepalived/conf.d/vi_1.conf", "target": "/etc/keepalived/conf.d/vi_1.conf",
                     "old_sha256": "aaaa", "new_sha256": "bbbb", "backup": "20261126T110134.000001Z-aaaa.conf", "on_disk": "old"}]},
                  {"daemon": "other", "op": "apply", "files": [], "on_disk": "old", "cleared": true}]}
                """, Hello.class);
        assertThat(hello.unfinishedApplies()).hasSize(2);
        UnfinishedApply first = hello.unfinishedApplies().get(0);
        assertThat(first.files().get(1).onDisk()).isEqualTo("old");
        assertThat(first.files().get(0).backup()).contains("20261126T110134.000000Z-c0ffee.conf");
        // only what needs the operator: the second one changed nothing
        assertThat(hello.unfinishedApplyWarning()).contains("unfinished apply of /etc/keepalived/keepalived.conf, "
                + "/etc/keepalived/conf.d/vi_1.conf (daemon keepalived) by alice at 2026-11-26T11:01:34.000000Z: it was cut "
                + "short before keepalived was reloaded and checked; some files are new on disk, some old "
                + "(/etc/keepalived/keepalived.conf: new, /etc/keepalived/conf.d/vi_1.conf: old), and keepalived may not run it. "
                + "Apply again (the same text will do) to reload and check it, or restore the backup "
                + "20261126T110134.000000Z-c0ffee.conf, 20261126T110134.000001Z-aaaa.conf");
        Hello older = json.readValue("""
                {"protocol": 1, "agent": "keepwatch-agent", "agent_version": "0.1.0", "hostname": "n1", "root": true,
                 "python": "3.11.2", "capabilities": {"ops": [], "events": [], "pidfd": true, "max_request_bytes": 1}, "settings": {}}
                """, Hello.class);
        assertThat(older.unfinishedApplies()).isEmpty();
        assertThat(older.unfinishedApplyWarning()).isEmpty();
    }

    @Test
    void readsAnApplyOfSeveralFilesAndItsSteps() throws Exception {
        ApplyResult result = ApplyResult.of(json.readTree("""
                {"result": "applied", "duration_ms": 3081, "daemon": "keepalived",
                 "files": [{"path": "/etc/keepalived/keepalived.conf", "target": "/etc/keepalived/real.conf", "old_sha256": "c0ffee",
                   "new_sha256": "beef", "backup": "20261126T110214.040120Z-c0ffee123456.conf"},
                  {"path": "/etc/keepalived/conf.d/vi_1.conf", "target": "/etc/keepalived/conf.d/vi_1.conf", "old_sha256": "aaaa",
                   "new_sha256": "aaaa", "backup": null}],
                 "check": {"warnings": 0, "diagnostics": []}}"""));
        assertThat(result.applied()).isTrue();
        assertThat(result.files()).extracting(ApplyResult.FileResult::path)
                .containsExactly("/etc/keepalived/keepalived.conf", "/etc/keepalived/conf.d/vi_1.conf");
        assertThat(result.newSha256()).isEqualTo("beef");
        assertThat(result.backups()).containsExactly("20261126T110214.040120Z-c0ffee123456.conf");
        ApplyResult single = ApplyResult.of(json.readTree("""
                {"result": "applied", "path": "/etc/keepalived/keepalived.conf", "old_sha256": "c0ffee", "new_sha256": "beef",
                 "backup": "b.conf"}"""));
        assertThat(single.files()).containsExactly(new ApplyResult.FileResult("/etc/keepalived/keepalived.conf", "c0ffee",
                "beef", java.util.Optional.of("b.conf")));

        ApplyStep step = ApplyStep.of(AgentEvent.parse(json.readTree("""
                {"event": "apply.step", "ts": 1.0, "id": 8, "op": "apply", "daemon": "keepalived",
                 "path": "/etc/keepalived/keepalived.conf", "paths": ["/etc/keepalived/keepalived.conf", "/etc/keepalived/conf.d/vi_1.conf"],
                 "step": "backup", "status": "ok", "backup": "a.conf",
                 "files": [{"path": "/etc/keepalived/keepalived.conf", "backup": "a.conf"},
                           {"path": "/etc/keepalived/conf.d/vi_1.conf", "backup": "b.conf"}]}"""), json)).orElseThrow();
        assertThat(step.paths()).hasSize(2);
        assertThat(step.detail()).isEqualTo("keepalived.conf a.conf, vi_1.conf b.conf");
    }
}
