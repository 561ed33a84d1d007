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

    private static NodeStatus status(ConnectionState state, Optional<String> error) {
        return new NodeStatus("n1", state, Instant.EPOCH, error, Optional.empty(), Optional.empty());
    }
}
