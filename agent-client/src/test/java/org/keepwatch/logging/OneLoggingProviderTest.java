package org.keepwatch.logging;

import org.junit.jupiter.api.Test;
import org.slf4j.spi.SLF4JServiceProvider;

import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The library's own tests have one SLF4J provider, slf4j-simple; it is a test dependency (the library ships
 * no logging backend), so the app, which brings Logback, never inherits it.
 */
class OneLoggingProviderTest {

    @Test
    void slf4jSimpleIsTheOnlySlf4jProvider() {
        assertThat(ServiceLoader.load(SLF4JServiceProvider.class).stream().map(p -> p.type().getName()))
                .containsExactly("org.slf4j.simple.SimpleServiceProvider");
    }
}
