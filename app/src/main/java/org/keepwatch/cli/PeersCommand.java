package org.keepwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.keepwatch.config.ConfigDocument;
import org.keepwatch.config.ConfigParser;
import org.keepwatch.config.Diagnostic;
import org.keepwatch.config.LintOptions;
import org.keepwatch.config.LintReport;
import org.keepwatch.config.Linter;
import org.keepwatch.config.PeerChecker;
import org.keepwatch.config.PeerFinding;
import org.keepwatch.config.PeerMember;
import org.keepwatch.config.PeerReport;
import org.keepwatch.config.PeerRouter;

/**
 * keepwatch peers [NAME=]FILE...: lints each member's configuration, then checks the members against each
 * other as one cluster. {@code NAME=FILE} names the member and uses NAME as its config id, as keepalived
 * uses the host name; a plain FILE is named by its path and uses {@code --config-id} (default: this host).
 * Exit 0 clean, 1 warnings only, 2 errors, counting both the lint and the peer findings.
 */
final class PeersCommand implements Command {
    private record Member(String name, String file, String configId) {
    }

    private record Checked(Member member, LintReport lint) {
    }

    @Override
    public String synopsis() {
        return "[--json] [--config-id ID] [NAME=]FILE [NAME=]FILE...";
    }

    @Override
    public String summary() {
        return "lint a cluster's configurations and report drift between its members; exit 0/1/2 like lint";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Arguments parsed = new Arguments(args, Set.of("--json"), Set.of("--config-id"));
        String defaultId = parsed.value("--config-id").orElseGet(LintOptions::localConfigId);
        List<Member> members = members(parsed.operands(), defaultId);
        Linter linter = new Linter();
        ConfigParser parser = new ConfigParser();
        List<Checked> checked = new ArrayList<>();
        List<PeerMember> peers = new ArrayList<>();
        for (Member member : members) {
            ConfigDocument document = parser.load(member.file());
            checked.add(new Checked(member, linter.lint(document, LintOptions.forConfigId(member.configId()))));
            peers.add(PeerMember.of(member.name(), document, member.configId()));
        }
        PeerReport report = new PeerChecker().check(peers);
        int worst = FindingOutput.exitStatus(report.verdict());
        for (Checked c : checked) worst = Math.max(worst, FindingOutput.exitStatus(c.lint().verdict()));
        if (parsed.has("--json")) {
            out.println(json(checked, report, worst).toPrettyString());
        } else {
            print(checked, report, out);
        }
        return worst;
    }

    /** NAME=FILE when the part before '=' is a plain name, so a path with '=' in it still reads as a file. */
    private static List<Member> members(List<String> operands, String defaultId) {
        if (operands.size() < 2) throw new UsageException("give the configurations of at least two members");
        List<Member> members = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String operand : operands) {
            int eq = operand.indexOf('=');
            Member member = eq > 0 && !operand.substring(0, eq).contains("/")
                ? new Member(operand.substring(0, eq), operand.substring(eq + 1), operand.substring(0, eq))
                : new Member(operand, operand, defaultId);
            if (member.file().isEmpty()) throw new UsageException("no FILE for member " + member.name());
            if (!names.add(member.name())) throw new UsageException("member " + member.name() + " given twice");
            members.add(member);
        }
        return members;
    }

    private static void print(List<Checked> checked, PeerReport report, PrintStream out) {
        for (Checked c : checked) {
            c.lint().diagnostics().forEach(d -> out.println(prefix(c.member().name(), d) + d));
            out.println(c.member().name() + (c.member().name().equals(c.member().file()) ? "" : " (" + c.member().file() + ")")
                + ": " + c.lint().errors() + " error(s), " + c.lint().warnings() + " warning(s)");
        }
        for (PeerRouter router : report.routers()) {
            out.println("router " + router.label() + ": " + router.members().stream()
                .map(m -> m.name() + " " + m.instance().name()).collect(Collectors.joining(", ")));
        }
        for (PeerFinding f : report.findings()) out.println(prefix(f.member(), f.diagnostic()) + f.diagnostic());
        out.println("peers: " + checked.size() + " member(s), " + report.routers().size() + " router(s): "
            + report.errors() + " error(s), " + report.warnings() + " warning(s)");
    }

    /** The member's name before a finding, unless the finding's path already is that name. */
    private static String prefix(String member, Diagnostic d) {
        return member.equals(d.location().file()) ? "" : member + ": ";
    }

    private static ObjectNode json(List<Checked> checked, PeerReport report, int worst) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("verdict", worst == 0 ? "clean" : worst == 1 ? "warnings" : "errors");
        ArrayNode members = root.putArray("members");
        for (Checked c : checked) {
            members.add(LintCommand.toJson(json, c.member().file(), c.lint())
                .put("name", c.member().name()).put("configId", c.member().configId()));
        }
        ArrayNode routers = root.putArray("routers");
        for (PeerRouter router : report.routers()) {
            ObjectNode node = routers.addObject().put("label", router.label()).put("name", router.name())
                .put("vrid", router.vrid()).put("family", router.ipv6() ? "ipv6" : "ipv4");
            ArrayNode list = node.putArray("members");
            router.members().forEach(m -> list.addObject().put("member", m.name()).put("instance", m.instance().name())
                .put("file", m.instance().node().location().file()).put("line", m.instance().node().location().line()));
        }
        ObjectNode peers = root.putObject("peers").put("verdict", report.verdict().name().toLowerCase());
        ArrayNode findings = peers.putArray("diagnostics");
        for (PeerFinding f : report.findings()) {
            FindingOutput.put(findings.addObject().put("member", f.member()).put("router", f.router()), f.diagnostic());
        }
        return root;
    }
}
