package org.keepwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code keepwatch status} against the lab through real sshd: its table, its JSON and its exit status as a check. */
@Tag("lab")
@Tag("mixed-fleet")   // CI runs it once, on the mixed fleet (.ci/run)
@ExtendWith(LabExtension.class)
class StatusCommandLabTest {

    private static Lab lab;

    private record Result(int status, String out, String err) {
    }

    @BeforeAll
    static void lab(Lab theLab) {
        lab = theLab;
    }

    @AfterEach
    void heal() {
        lab.ok("heal");
        lab.awaitHealthy(Duration.ofSeconds(40));
    }

    private static Result status(String... more) {
        List<String> args = new ArrayList<>(List.of("status", "--fleet", lab.fleetFile().toString()));
        args.addAll(List.of(more));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aHealthyLabIsExitZeroWithEveryRouterAndItsOneMaster() throws Exception {
        Lab.await(Duration.ofSeconds(30), Duration.ofMillis(500), () -> status("--json").status() == 0);
        Result table = status();
        assertThat(table.status()).as(table.out() + table.err()).isZero();
        assertThat(table.out()).contains("VI_1 (VRID 51) [lab]", "8 routers, 8 healthy").containsPattern("n1\\s+ONLINE");

        Result json = status("--json");
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertThat(root.path("status").asText()).isEqualTo("ok");
        assertThat(root.path("routers")).hasSize(8).allSatisfy(r -> {
            assertThat(r.path("verdict").asText()).isEqualTo("HEALTHY");
            assertThat(r.path("masters")).hasSize(1);
        });
        assertThat(root.path("nodes")).hasSize(5).allSatisfy(n -> assertThat(n.path("connection").asText()).isEqualTo("ONLINE"));
    }

    @Test
    void aPartitionIsCriticalAndNoRouterIsPrintedHealthyWithTwoMasters() throws Exception {
        lab.ok("fail", "partition");
        // Asked again and again while the routers flip one by one (VRRP ~3 s, the Neutron pair ~7 s, each
        // router on its own): whatever status prints must agree with itself.
        long until = System.nanoTime() + Duration.ofSeconds(12).toNanos();
        while (System.nanoTime() < until) {
            Result json = status("--json");
            JsonNode root = new ObjectMapper().readTree(json.out());
            assertThat(json.status()).as(json.out()).isIn(0, 2);
            for (JsonNode router : root.path("routers")) {
                if (router.path("masters").size() > 1) {
                    assertThat(router.path("verdict").asText()).as(router.toString()).isEqualTo("SPLIT_BRAIN");
                }
            }
        }
        Lab.await(Duration.ofSeconds(30), Duration.ofMillis(500), () -> lab.status().routers().stream()
                .allMatch(r -> r.masters().size() == 2 || r.masters().size() == 3));
        Result json = status("--json");
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertThat(json.status()).as(json.out()).isEqualTo(2);
        assertThat(root.path("status").asText()).isEqualTo("critical");
        assertThat(root.path("routers")).hasSize(8)
                .allSatisfy(r -> assertThat(r.path("verdict").asText()).as(r.toString()).isEqualTo("SPLIT_BRAIN"));
    }
}
