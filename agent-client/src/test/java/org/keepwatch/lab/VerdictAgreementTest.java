package org.keepwatch.lab;

import org.junit.jupiter.api.Test;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.lab.VerdictAgreement.Said;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lab tests' and the soak's judge: what it lets Keepwatch say when the lab's truth rests on a node Keepwatch
 * cannot read (the chaos soak's two rounds of that kind), and that it lets nothing else through.
 */
class VerdictAgreementTest {

    private static final Predicate<String> NONE = node -> false;
    private static final String VIP = "10.77.0.101";

    /** sshd down on n2, keepalived crashed on n1: n1 left its VIP, n2 (unread) took it over. */
    private static final LabStatus SPLIT_BEHIND_DEAD_SSHD = new LabStatus(List.of(router("SPLIT_BRAIN",
            List.of(member("n2", "MASTER"), member("n3", "BACKUP")), List.of("n2"), Map.of(VIP, List.of("n1", "n2")))));

    /** n1 cut off (its keepalived alone on a dead link), keepalived stopped on n2: nobody is master. */
    private static final LabStatus NO_MASTER_BEHIND_CUT = new LabStatus(List.of(router("NO_MASTER",
            List.of(member("n1", "FAULT")), List.of(), Map.of())));

    @Test
    void aSplitBrainWhoseOtherHalfKeepwatchCannotReadMayBeWhatTheReadableNodesProve() {
        Predicate<String> unread = "n2"::equals;
        for (Verdict verdict : List.of(Verdict.SPLIT_BRAIN, Verdict.ORPHAN_VIP, Verdict.STALE)) {
            assertThat(disagreements(unread, SPLIT_BEHIND_DEAD_SSHD, verdict)).as(verdict.name()).isEmpty();
        }
        for (Verdict verdict : List.of(Verdict.HEALTHY, Verdict.DEGRADED, Verdict.NO_REDUNDANCY, Verdict.DRIFT)) {
            assertThat(disagreements(unread, SPLIT_BEHIND_DEAD_SSHD, verdict)).as(verdict.name()).hasSize(1);
        }
    }

    @Test
    void aSplitBrainKeepwatchCanReadWholeMustBeOne() {
        for (Verdict verdict : Set.of(Verdict.ORPHAN_VIP, Verdict.STALE, Verdict.NO_MASTER, Verdict.HEALTHY)) {
            assertThat(disagreements(NONE, SPLIT_BEHIND_DEAD_SSHD, verdict)).as(verdict.name())
                    .singleElement().asString().contains("lab SPLIT_BRAIN").contains("Keepwatch " + verdict);
        }
        assertThat(disagreements("n3"::equals, SPLIT_BEHIND_DEAD_SSHD, Verdict.STALE))
                .as("a node unread that neither is master nor holds a VIP excuses nothing").hasSize(1);
    }

    @Test
    void noMasterBehindANodeKeepwatchCannotReadMayBeStaleButNeverHealthy() {
        assertThat(disagreements("n1"::equals, NO_MASTER_BEHIND_CUT, Verdict.STALE)).isEmpty();
        assertThat(disagreements(NONE, NO_MASTER_BEHIND_CUT, Verdict.STALE)).hasSize(1);
        assertThat(disagreements("n1"::equals, NO_MASTER_BEHIND_CUT, Verdict.HEALTHY)).hasSize(1);
        assertThat(disagreements("n1"::equals, NO_MASTER_BEHIND_CUT, Verdict.DEGRADED)).hasSize(1);
    }

    @Test
    void alarmsFollowTheSameRule() {
        Map<String, Verdict> orphan = Map.of("VRID 51", Verdict.ORPHAN_VIP);
        assertThat(VerdictAgreement.alarmDisagreements("n2"::equals, SPLIT_BEHIND_DEAD_SSHD, orphan)).isEmpty();
        assertThat(VerdictAgreement.alarmDisagreements(NONE, SPLIT_BEHIND_DEAD_SSHD, orphan)).hasSize(1);
        assertThat(VerdictAgreement.alarmDisagreements("n1"::equals, NO_MASTER_BEHIND_CUT, Map.of())).isEmpty();
        assertThat(VerdictAgreement.alarmDisagreements(NONE, NO_MASTER_BEHIND_CUT, Map.of())).hasSize(1);
        LabStatus healthy = new LabStatus(List.of(router("ONE_MASTER", List.of(member("n1", "MASTER")),
                List.of("n1"), Map.of(VIP, List.of("n1")))));
        assertThat(VerdictAgreement.alarmDisagreements("n1"::equals, healthy, Map.of("VRID 51", Verdict.SPLIT_BRAIN)))
                .as("an unread node excuses no alarm the lab has no cause for").hasSize(1);
    }

    private static List<String> disagreements(Predicate<String> unread, LabStatus truth, Verdict verdict) {
        List<Said> said = List.of(new Said("VRID 51", verdict, List.of("n1", "n2", "n3")));
        return VerdictAgreement.disagreements(node -> true, unread, "the faults", truth, said);
    }

    private static LabStatus.Router router(String verdict, List<LabStatus.Member> members, List<String> masters,
                                           Map<String, List<String>> holders) {
        return new LabStatus.Router("vrid 51", 51, List.of(VIP), members, masters, holders, verdict);
    }

    private static LabStatus.Member member(String node, String state) {
        return new LabStatus.Member(node, "VI_51", state, 100, 100, "n-" + node, List.of());
    }
}
