package org.keepwatch.ssh;

import java.util.Map;
import java.util.Optional;

/**
 * OpenSSH's path expansion for IdentityFile, UserKnownHostsFile and IdentityAgent: a leading {@code ~} first,
 * then {@code ${VAR}} from the environment, then {@code %x} tokens. An unknown token or unset variable is an
 * error, as in OpenSSH.
 */
final class PercentExpander {

    private final Map<Character, String> tokens;
    private final Map<String, String> variables;
    private final String home;

    PercentExpander(Map<Character, String> tokens, Map<String, String> variables, String home) {
        this.tokens = Map.copyOf(tokens);
        this.variables = variables;
        this.home = home;
    }

    /** The expanded string, or a message saying what could not be expanded. */
    Result expandPath(String value) {
        String tilded = value;
        if (value.equals("~") || value.startsWith("~/")) {
            tilded = home + value.substring(1);
        } else if (value.startsWith("~")) {
            return Result.error("~user paths are not supported: " + value);
        }
        Result dollars = expandVariables(tilded);
        return dollars.error().isPresent() ? dollars : expandTokens(dollars.value());
    }

    Result expandTokens(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 1 >= value.length()) {
                return Result.error("'%' at end of \"" + value + "\"");
            }
            char key = value.charAt(++i);
            if (key == '%') {
                out.append('%');
            } else if (tokens.containsKey(key)) {
                out.append(tokens.get(key));
            } else {
                return Result.error("unknown token %" + key + " in \"" + value + "\"");
            }
        }
        return Result.ok(out.toString());
    }

    private Result expandVariables(String value) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            int start = value.indexOf("${", i);
            if (start < 0) {
                out.append(value, i, value.length());
                break;
            }
            int end = value.indexOf('}', start);
            if (end < 0) {
                return Result.error("unterminated ${ in \"" + value + "\"");
            }
            String name = value.substring(start + 2, end);
            String replacement = variables.get(name);
            if (replacement == null) {
                return Result.error("environment variable ${" + name + "} has no value");
            }
            out.append(value, i, start).append(replacement);
            i = end + 1;
        }
        return Result.ok(out.toString());
    }

    /** An expanded value or why expansion failed. */
    record Result(String value, Optional<String> error) {
        static Result ok(String value) {
            return new Result(value, Optional.empty());
        }

        static Result error(String why) {
            return new Result(null, Optional.of(why));
        }
    }
}
