package org.keepwatch.diagnosis;

import java.util.List;
import java.util.Optional;

/**
 * One thing a diagnosis found, in words.
 *
 * @param pointsAt the member (node name) it points at, or the stranger's address; empty when it points at no one
 *                 thing (a partition of every member)
 * @param sentence what was found, as one sentence an operator reads first
 * @param evidence what it rests on, one line each
 */
public record Finding(Cause cause, Optional<String> pointsAt, String sentence, List<String> evidence) {

    public Finding {
        evidence = List.copyOf(evidence);
    }
}
