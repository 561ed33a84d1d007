package org.keepwatch.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.ssh.SshPrompts;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** An action command's fleet against the lab through real sshd: the nodes named come online with their agents. */
@Tag("lab")
@ExtendWith(LabExtension.class)
class FleetConnectionLabTest {

    private static Lab lab;

    @BeforeAll
    static void lab(Lab theLab) {
        lab = theLab;
    }

    @Test
    void theNamedNodesComeOnlineWithTheirAgentsAndTheRoutersSettle() {
        Keepwatch keepwatch = Keepwatch.forCurrentUser(SshPrompts.BATCH, Clock.systemUTC());
        try (FleetConnection fleet = FleetConnection.open(keepwatch, lab.fleetFile(), Duration.ofSeconds(30))) {
            fleet.awaitOnline(List.of("n1", "n2"));
            assertThat(fleet.agents().session("n1")).isPresent();
            assertThat(fleet.agents().session("n2").orElseThrow().hello().hostname()).isNotBlank();
            fleet.settle();
            assertThat(fleet.state().routers()).as("the whole fleet is watched, not only the nodes named")
                    .anySatisfy(r -> assertThat(r.members()).anySatisfy(m -> assertThat(m.node()).isEqualTo("n3")));
        }
    }
}
