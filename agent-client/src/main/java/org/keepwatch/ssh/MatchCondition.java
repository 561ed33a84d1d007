package org.keepwatch.ssh;

import org.keepwatch.ssh.SshConfigParser.Directive;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One {@code Match} line, parsed and evaluated as readconf.c's match_cfg_line() does: criteria are checked in
 * order, each may be negated with {@code !}, a failed one makes the line false but later ones are still read;
 * {@code all} ends the line; {@code canonical} and {@code final} are true only in the final pass (and {@code final}
 * asks for one); {@code exec} commands are never run: their outcome comes from an {@link ExecOutcomes}, which lets
 * the resolver try both and refuse the host if the outcome matters.
 */
final class MatchCondition {

    enum Kind { ALL, CANONICAL, FINAL, HOST, ORIGINALHOST, USER, LOCALUSER, EXEC }

    record Criterion(Kind kind, boolean negated, String argument) {
    }

    /** What a Match line is evaluated against: the current pass and what has been resolved so far. */
    record Context(String host, String originalHost, String remoteUser, String localUser, boolean finalPass) {
    }

    /** The outcome of a {@code Match exec}, decided by somebody else than a shell. */
    interface ExecOutcomes {
        boolean outcome(Directive match, String command);
    }

    private final Directive directive;
    private final List<Criterion> criteria;

    private MatchCondition(Directive directive, List<Criterion> criteria) {
        this.directive = directive;
        this.criteria = List.copyOf(criteria);
    }

    /** The criteria of a Match line, or the error ssh gives for it ("Bad Match condition"). */
    static MatchCondition parse(Directive d) throws SshException.BadConfig {
        List<String> args = d.args();
        List<Criterion> criteria = new ArrayList<>();
        int attributes = 0;
        for (int i = 0; i < args.size(); i++) {
            String attribute = args.get(i);
            boolean negated = attribute.startsWith("!");
            String name = (negated ? attribute.substring(1) : attribute).toLowerCase(Locale.ROOT);
            if (name.equals("all")) {
                // readconf.c lets "all" follow one other criterion, but nothing may follow it.
                if (attributes > 1 || i + 1 < args.size()) {
                    throw bad(d, "'" + attribute + "' cannot be combined with other Match attributes");
                }
                criteria.add(new Criterion(Kind.ALL, negated, null));
                return new MatchCondition(d, criteria);
            }
            attributes++;
            if (name.equals("canonical") || name.equals("final")) {
                criteria.add(new Criterion(name.equals("final") ? Kind.FINAL : Kind.CANONICAL, negated, null));
                continue;
            }
            Kind kind = switch (name) {
                case "host" -> Kind.HOST;
                case "originalhost" -> Kind.ORIGINALHOST;
                case "user" -> Kind.USER;
                case "localuser" -> Kind.LOCALUSER;
                case "exec" -> Kind.EXEC;
                default -> throw bad(d, "Unsupported Match attribute " + name);
            };
            if (i + 1 >= args.size()) {
                throw bad(d, "Missing Match criteria for " + name);
            }
            criteria.add(new Criterion(kind, negated, args.get(++i)));
        }
        if (attributes == 0) {
            throw bad(d, "One or more attributes required for Match");
        }
        return new MatchCondition(d, criteria);
    }

    /** Whether the line's criteria hold; notes each criterion {@code final} in {@code wantsFinal}. */
    boolean matches(Context context, ExecOutcomes exec, boolean[] wantsFinal) {
        boolean result = true;
        for (Criterion c : criteria) {
            boolean holds;
            switch (c.kind()) {
                case ALL:
                    return result && !c.negated();
                case FINAL:
                    wantsFinal[0] = true;
                    holds = context.finalPass();
                    break;
                case CANONICAL:
                    holds = context.finalPass();
                    break;
                case HOST:
                    holds = HostPatterns.matchList(context.host(), c.argument()) == HostPatterns.ListMatch.MATCHED;
                    break;
                case ORIGINALHOST:
                    holds = HostPatterns.matchList(context.originalHost(), c.argument())
                            == HostPatterns.ListMatch.MATCHED;
                    break;
                case USER:
                    holds = HostPatterns.matchListExactCase(context.remoteUser(), c.argument())
                            == HostPatterns.ListMatch.MATCHED;
                    break;
                case LOCALUSER:
                    holds = HostPatterns.matchListExactCase(context.localUser(), c.argument())
                            == HostPatterns.ListMatch.MATCHED;
                    break;
                case EXEC:
                    if (!result) {
                        // ssh skips the command once an earlier criterion failed: nothing to decide.
                        continue;
                    }
                    holds = exec.outcome(directive, c.argument());
                    break;
                default:
                    throw new IllegalStateException(c.kind().toString());
            }
            if (holds == c.negated()) {
                result = false;
            }
        }
        return result;
    }

    private static SshException.BadConfig bad(Directive d, String problem) {
        return new SshException.BadConfig(d.file(), d.line(), "Bad Match condition: " + problem);
    }
}
