package org.keepwatch.lab;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.time.Duration;

/**
 * Brings the lab up (both topologies) once per test run and down again at the end, unless it was
 * already up before the tests started: then it is left as it was found. Test classes declare
 * {@code @ExtendWith(LabExtension.class)} and take a {@link Lab} parameter.
 */
public final class LabExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LabExtension.class);

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

    /** Closed by JUnit when the whole test plan has run. */
    private static final class Session implements AutoCloseable {
        private final Lab lab;
        private final boolean broughtUp;

        private Session(Lab lab, boolean broughtUp) {
            this.lab = lab;
            this.broughtUp = broughtUp;
        }

        static Session open() {
            Lab lab = Lab.fromWorkingDirectory();
            boolean wasUp = lab.run("status").exitCode() != 3;
            lab.ok("up", "basic", "neutron");
            lab.ok("heal");
            lab.awaitHealthy(Duration.ofSeconds(40));
            return new Session(lab, !wasUp);
        }

        @Override
        public void close() {
            if (broughtUp) {
                lab.ok("down");
            } else {
                lab.run("heal");
            }
        }
    }
}
