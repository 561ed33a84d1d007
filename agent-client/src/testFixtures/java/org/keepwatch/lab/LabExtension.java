package org.keepwatch.lab;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Brings the lab up (both topologies) once per test run and down again at the end, unless it was
 * already up before the tests started: then it is left as it was found. Test classes declare
 * {@code @ExtendWith(LabExtension.class)} and take a {@link Lab} parameter.
 *
 * <p>With {@code -Dkeepwatch.lab.releases=bullseye,bookworm,trixie} the basic topology is a mixed lab: node i runs on
 * the root of release i (lab/up --releases; the roots are built once and cached). A basic topology found up with
 * other releases is replaced for the run, and the one found is brought back at the end.
 */
public final class LabExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LabExtension.class);
    /** The system property that makes the run's basic topology a mixed lab. */
    public static final String RELEASES_PROPERTY = "keepwatch.lab.releases";
    private static final Pattern REPLACED = Pattern.compile("lab/up: replacing the (\\w+) topology; it was: (.*)");

    @Override
    public void beforeAll(ExtensionContext context) {
        session(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Lab.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return session(context).lab;
    }

    private static Session session(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Session.class, key -> Session.open(),
                Session.class);
    }

    /**
     * The topologies lab/up replaced, each with the lab/up options that bring it back (lab/up prints them: "lab/up:
     * replacing the basic topology; it was: --nodes 3 --routers 3").
     */
    public static Map<String, List<String>> replaced(String upOutput) {
        Map<String, List<String>> replaced = new LinkedHashMap<>();
        upOutput.lines().map(REPLACED::matcher).filter(Matcher::matches)
                .forEach(m -> replaced.put(m.group(1), List.of(m.group(2).strip().split(" +"))));
        return replaced;
    }

    /** Closed by JUnit when the whole test plan has run. */
    private static final class Session implements AutoCloseable {
        private final Lab lab;
        private final boolean broughtUp;
        private final Map<String, List<String>> replaced;

        private Session(Lab lab, boolean broughtUp, Map<String, List<String>> replaced) {
            this.lab = lab;
            this.broughtUp = broughtUp;
            this.replaced = replaced;
        }

        static Session open() {
            Lab lab = Lab.fromWorkingDirectory();
            boolean wasUp = lab.run("status").exitCode() != 3;
            String releases = System.getProperty(RELEASES_PROPERTY, "").strip();
            List<String> up = new ArrayList<>(List.of("up", "basic", "neutron", "--replace"));
            if (!releases.isEmpty()) {
                up.addAll(List.of("--releases", releases));
            }
            Map<String, List<String>> replaced = replaced(lab.ok(up.get(0),
                    up.subList(1, up.size()).toArray(String[]::new)));
            lab.ok("heal");
            lab.awaitHealthy(Duration.ofSeconds(40));
            return new Session(lab, !wasUp, replaced);
        }

        @Override
        public void close() {
            if (broughtUp) {
                lab.ok("down");
                return;
            }
            lab.run("heal");
            replaced.forEach((topology, options) -> {
                List<String> up = new ArrayList<>(List.of(topology, "--replace"));
                up.addAll(options);
                lab.ok("up", up.toArray(String[]::new));
            });
        }
    }
}
