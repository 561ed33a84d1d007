package org.keepwatch.drafts;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextMergeTest {

    private static final String BASE = "a\nb\nc\nd\ne\nf\n";

    @Test
    void changesToDifferentLinesCombine() {
        TextMerge.Result result = TextMerge.merge(BASE, "a\nB\nc\nd\ne\nf\n", "a\nb\nc\nd\nE\nf\ng\n");
        assertThat(result.clean()).isTrue();
        assertThat(result.merged()).contains("a\nB\nc\nd\nE\nf\ng\n");
    }

    @Test
    void theSameChangeOnBothSidesCountsOnce() {
        TextMerge.Result result = TextMerge.merge(BASE, "a\nX\nc\nd\ne\nf\n", "a\nX\nc\nd\ne\nf\n");
        assertThat(result.merged()).contains("a\nX\nc\nd\ne\nf\n");
    }

    @Test
    void differentChangesToTheSameLineAreAConflictNamedByItsLines() {
        TextMerge.Result result = TextMerge.merge(BASE, "a\nb\nMINE\nd\ne\nf\n", "a\nb\nTHEIRS\nd\ne\nf\n");
        assertThat(result.clean()).isFalse();
        assertThat(result.conflicts()).containsExactly("lines 3–3 of the version read: changed here and on the node");
    }

    @Test
    void anUnchangedSideGivesTheOther() {
        assertThat(TextMerge.merge(BASE, BASE, "x\n" + BASE).merged()).contains("x\n" + BASE);
        assertThat(TextMerge.merge(BASE, BASE + "y\n", BASE).merged()).contains(BASE + "y\n");
    }
}
