package org.keepwatch.diagnosis;

import java.util.List;

/**
 * Why a router misbehaves, as its members' agents could tell: the verdict (the most likely cause and the member it
 * points at), the other findings, who heard whose adverts, what each member answered, and what could not be looked at.
 */
public record Diagnosis(String router, int vrid, double windowSeconds, Finding verdict, List<Finding> findings,
                        List<Hearing> hearing, List<MemberEvidence> members, List<String> notes) {

    public Diagnosis {
        findings = List.copyOf(findings);
        hearing = List.copyOf(hearing);
        members = List.copyOf(members);
        notes = List.copyOf(notes);
    }

    /** The verdict's sentence, for a notification or a status line. */
    public String summary() {
        return verdict.cause().title() + ": " + verdict.sentence();
    }
}
