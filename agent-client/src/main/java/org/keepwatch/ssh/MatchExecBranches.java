package org.keepwatch.ssh;

import org.keepwatch.ssh.SshConfigParser.Directive;

import java.lang.reflect.RecordComponent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keepwatch never runs a {@code Match exec} command (it would run whatever a config names, at every resolution).
 * Instead a resolution is made for every outcome of the commands ssh would run: if they all give the same target,
 * the commands could not change it and it stands (with a note); if not, the host is refused with the Match line
 * and what its outcome decides, never resolved one way or the other.
 */
final class MatchExecBranches {

    /** 2^6 outcomes: a config with more exec commands on one host's path is refused rather than explored. */
    private static final int MAX_RESOLUTIONS = 64;

    /** One resolution given the exec outcomes it is handed. */
    interface Resolution {
        SshTarget resolve(MatchCondition.ExecOutcomes exec) throws SshException.BadConfig;
    }

    private MatchExecBranches() {
    }

    static SshTarget resolve(String host, Resolution resolution) throws SshException.BadConfig {
        List<Outcome> outcomes = new ArrayList<>();
        Deque<List<Boolean>> pending = new ArrayDeque<>();
        pending.push(List.of());
        Set<Directive> execLines = new LinkedHashSet<>();
        while (!pending.isEmpty()) {
            if (outcomes.size() >= MAX_RESOLUTIONS) {
                Directive first = execLines.iterator().next();
                throw refusal(first, host, "more than " + MAX_RESOLUTIONS + " combinations of Match exec outcomes"
                        + " to compare");
            }
            Assumed assumed = new Assumed(pending.pop());
            Outcome outcome;
            try {
                outcome = new Outcome(resolution.resolve(assumed), null);
            } catch (SshException.BadConfig e) {
                outcome = new Outcome(null, e);
            }
            outcomes.add(outcome);
            execLines.addAll(assumed.asked);
            // Every command decided here by default (true) is tried the other way too.
            for (int i = assumed.given.size(); i < assumed.answers.size(); i++) {
                List<Boolean> other = new ArrayList<>(assumed.answers.subList(0, i));
                other.add(false);
                pending.push(other);
            }
        }
        Outcome first = outcomes.get(0);
        for (Outcome other : outcomes.subList(1, outcomes.size())) {
            if (!first.sameAs(other)) {
                Directive line = execLines.iterator().next();
                throw refusal(line, host, "its outcome decides " + first.difference(other));
            }
        }
        if (first.error() != null) {
            throw first.error();
        }
        if (execLines.isEmpty()) {
            return first.target();
        }
        List<String> notes = new ArrayList<>(first.target().notes());
        for (Directive line : execLines) {
            notes.add("Match exec at " + line.file() + " line " + line.line() + " was not run; whatever it returns,"
                    + " " + host + " resolves the same");
        }
        return first.target().withNotes(notes);
    }

    private static SshException.BadConfig refusal(Directive line, String host, String why) {
        return new SshException.BadConfig(line.file(), line.line(), "Match exec is not evaluated by Keepwatch;"
                + " for " + host + " " + why + ", so the host is refused rather than resolved either way (give the"
                + " settings in a Host or Match host block instead)");
    }

    /** Exec outcomes: those given, then true for any command asked beyond them (each asked is recorded). */
    private static final class Assumed implements MatchCondition.ExecOutcomes {
        final List<Boolean> given;
        final List<Boolean> answers = new ArrayList<>();
        final List<Directive> asked = new ArrayList<>();

        Assumed(List<Boolean> given) {
            this.given = given;
        }

        @Override
        public boolean outcome(Directive match, String command) {
            boolean answer = answers.size() < given.size() ? given.get(answers.size()) : true;
            answers.add(answer);
            asked.add(match);
            return answer;
        }
    }

    /** A target or the error the resolution ended with. */
    private record Outcome(SshTarget target, SshException.BadConfig error) {

        boolean sameAs(Outcome other) {
            if (target == null || other.target == null) {
                return target == null && other.target == null
                        && Objects.equals(error.getMessage(), other.error.getMessage());
            }
            return target.withNotes(List.of()).equals(other.target.withNotes(List.of()));
        }

        /** The fields in which two outcomes differ, in words. */
        String difference(Outcome other) {
            if (target == null || other.target == null) {
                SshException.BadConfig error = this.error != null ? this.error : other.error;
                return "whether the config is accepted at all (" + error.getMessage() + ")";
            }
            List<String> fields = new ArrayList<>();
            for (RecordComponent component : SshTarget.class.getRecordComponents()) {
                if (component.getName().equals("notes")) {
                    continue;
                }
                try {
                    Object a = component.getAccessor().invoke(target);
                    Object b = component.getAccessor().invoke(other.target);
                    if (!Objects.equals(a, b)) {
                        fields.add(component.getName() + " (" + a + " or " + b + ")");
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            return fields.stream().collect(Collectors.joining(", "));
        }
    }
}
