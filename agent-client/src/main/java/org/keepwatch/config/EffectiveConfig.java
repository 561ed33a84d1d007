package org.keepwatch.config;

import java.util.List;

/**
 * The statements keepalived acts on for one config id, each pointing back to the line it came from,
 * and the problems found while expanding conditionals, definitions, sequences and lists.
 */
public record EffectiveConfig(String configId, List<Statement> roots, List<Diagnostic> diagnostics) {
}
