package org.keepwatch.app.nodes;

import org.junit.jupiter.api.Test;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.NodeStatus;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class NodeRowTest {

    @Test
    void anOnlineNodeShowsWhatStillNeedsTheOperatorAndNoStaleError() {
        NodeRow row = new NodeRow(status(ConnectionState.OFFLINE, Optional.of("the SSH connection ended")));
        assertThat(row.lastErrorProperty().get()).isEqualTo("the SSH connection ended");
        row.update(status(ConnectionState.ONLINE, Optional.empty()));
        assertThat(row.lastErrorProperty().get()).isEmpty();
        row.update(status(ConnectionState.ONLINE, Optional.of("unfinished apply of /etc/keepalived/keepalived.conf")));
        assertThat(row.lastErrorProperty().get()).isEqualTo("unfinished apply of /etc/keepalived/keepalived.conf");
        assertThat(row.lastFailure()).isEmpty();
    }

    @Test
    void itsFactsSayTheVersionLintChecksAgainstTheKindAndWhetherItIsReadOnly() {
        String why = "read-only: ops on n1 has no sudo (sudo is off for this node); nothing can be changed";
        NodeRow row = new NodeRow(new NodeStatus("n1", ConnectionState.ONLINE, Instant.EPOCH, Optional.of(why),
                Optional.of("2.1.5"), Optional.of("0.1.0"), Optional.empty(), Optional.of(why)));
        assertThat(row.isReadOnly()).isTrue();
        assertThat(row.accessProperty().get().isReadOnly()).isTrue();
        row.updateDaemons(java.util.List.of(new org.keepwatch.fleet.DaemonObservation("n1", "keepalived", "",
                org.keepwatch.fleet.DaemonStatus.RUNNING, Optional.empty(), Optional.empty(),
                new org.keepwatch.fleet.DaemonKind(Optional.of("2.1.5"), false, Optional.empty()))));
        assertThat(row.kindProperty().get()).isEqualTo("in a container (own mount namespace)");
        assertThat(row.facts()).isEqualTo("This node: keepalived 2.1.5 (lint checks its configuration for this version); "
                + "in a container (own mount namespace); " + why + ".");
        row.update(status(ConnectionState.ONLINE, Optional.empty()));
        assertThat(row.isReadOnly()).isFalse();
        assertThat(row.facts()).doesNotContain("read-only");
    }

    @Test
    void configurationOpensTheOnlyDaemonOfARootNodeAndIsAChoiceOtherwise() {
        NodeRow row = new NodeRow(status(ConnectionState.ONLINE, Optional.empty()));
        assertThat(row.onlyDaemon()).as("none reported yet").isEmpty();
        row.updateDaemons(java.util.List.of(daemon("keepalived")));
        assertThat(row.onlyDaemon()).contains("keepalived");
        row.updateDaemons(java.util.List.of(daemon("keepalived"), daemon("qrouter-b")));
        assertThat(row.onlyDaemon()).as("several").isEmpty();
        String why = "read-only: ops on n1 has no sudo (not root); nothing can be changed";
        row.update(new NodeStatus("n1", ConnectionState.ONLINE, Instant.EPOCH, Optional.of(why), Optional.empty(),
                Optional.of("0.1.0"), Optional.empty(), Optional.of(why)));
        row.updateDaemons(java.util.List.of(daemon("keepalived")));
        assertThat(row.onlyDaemon()).as("a read-only agent cannot see every keepalived root runs").isEmpty();
    }

    private static org.keepwatch.fleet.DaemonObservation daemon(String name) {
        return new org.keepwatch.fleet.DaemonObservation("n1", name, "", org.keepwatch.fleet.DaemonStatus.RUNNING,
                Optional.empty(), Optional.empty());
    }

    private static NodeStatus status(ConnectionState state, Optional<String> error) {
        return new NodeStatus("n1", state, Instant.EPOCH, error, Optional.empty(), Optional.empty());
    }
}
