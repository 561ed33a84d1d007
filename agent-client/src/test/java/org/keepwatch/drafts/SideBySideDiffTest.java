package org.keepwatch.drafts;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SideBySideDiffTest {

    @Test
    void aChangedLineIsPairedWithItsChangedPartMarkedAndFarLinesFold() {
        StringBuilder before = new StringBuilder();
        for (int i = 1; i <= 20; i++) {
            before.append("line ").append(i).append('\n');
        }
        String after = before.toString().replace("line 10\n", "line 10 changed\n").replace("line 15\n", "line 15\nnew\n");
        List<SideBySideDiff.Row> rows = SideBySideDiff.rows(before.toString(), after, 2);
        assertThat(rows.get(0).kind()).isEqualTo(SideBySideDiff.Kind.FOLDED);
        assertThat(rows.get(0).oldLine()).isEqualTo(7);
        SideBySideDiff.Row changed = rows.stream().filter(r -> r.kind() == SideBySideDiff.Kind.CHANGED).findFirst().orElseThrow();
        assertThat(changed.oldLine()).isEqualTo(10);
        assertThat(changed.newText().substring(changed.newMark()[0], changed.newMark()[1])).isEqualTo(" changed");
        SideBySideDiff.Row added = rows.stream().filter(r -> r.kind() == SideBySideDiff.Kind.ADDED).findFirst().orElseThrow();
        assertThat(added.oldLine()).isZero();
        assertThat(added.newLine()).isEqualTo(16);
        assertThat(SideBySideDiff.stats(rows).toString()).isEqualTo("1 line(s) changed, 1 added, 0 removed");
        assertThat(rows.get(rows.size() - 1).kind()).isEqualTo(SideBySideDiff.Kind.FOLDED);
    }
}
