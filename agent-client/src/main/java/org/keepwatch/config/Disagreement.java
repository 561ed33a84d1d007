package org.keepwatch.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Who to tell about a disagreement between members, and the words that name them. */
final class Disagreement {
    private Disagreement() {
    }

    /**
     * The groups whose members get a finding: every group but a strictly largest one (the majority is taken
     * to be right), or every group when no group is largest, since then nothing says which side is right.
     */
    static <V, M> List<V> outliers(Map<V, List<M>> groups) {
        if (groups.size() < 2) return List.of();
        int largest = groups.values().stream().mapToInt(List::size).max().orElse(0);
        boolean oneLargest = groups.values().stream().filter(g -> g.size() == largest).count() == 1;
        List<V> out = new ArrayList<>();
        groups.forEach((value, members) -> {
            if (!oneLargest || members.size() != largest) out.add(value);
        });
        return out;
    }

    /** "n1", "n1 and n2", "n1, n2 and n3". */
    static String names(List<String> names) {
        if (names.size() <= 1) return String.join("", names);
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    /** Names and a verb agreeing with them: "n1 lacks", "n1 and n3 lack". */
    static String names(List<String> names, String singular, String plural) {
        return names(names) + " " + (names.size() == 1 ? singular : plural);
    }

    /** Items grouped by their value, groups in the order their first item comes; never hashes the items. */
    static <M, V> Map<V, List<M>> group(List<M> items, Function<M, V> value) {
        Map<V, List<M>> groups = new LinkedHashMap<>();
        for (M item : items) groups.computeIfAbsent(value.apply(item), v -> new ArrayList<>()).add(item);
        return groups;
    }

    /** "n1 and n3 have X; n4 has Y": every group but the one being reported. */
    static <M, V> String others(Map<V, List<M>> groups, V except, Function<M, String> name) {
        List<String> parts = new ArrayList<>();
        groups.forEach((value, members) -> {
            if (!value.equals(except)) parts.add(names(members.stream().map(name).toList(), "has", "have") + " " + value);
        });
        return String.join("; ", parts);
    }

    static List<String> memberNames(List<PeerRouter.Member> members) {
        return members.stream().map(PeerRouter.Member::name).toList();
    }
}
