package org.keepwatch.app.logging;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.SLF4JServiceProvider;

import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The app logs through Logback alone. With two SLF4J providers on the class path SLF4J picks one and
 * warns, and which one wins depends on class path order: the app's logging configuration may silently not apply.
 */
class OneLoggingProviderTest {

    @Test
    void logbackIsTheOnlySlf4jProvider() {
        assertThat(ServiceLoader.load(SLF4JServiceProvider.class).stream().map(p -> p.type().getName()))
                .containsExactly("ch.qos.logback.classic.spi.LogbackServiceProvider");
        assertThat(LoggerFactory.getILoggerFactory().getClass().getName())
                .isEqualTo("ch.qos.logback.classic.LoggerContext");
    }
}
