package org.keepwatch.ssh;

import java.util.Optional;
import java.util.OptionalInt;

/** One hop of a ProxyJump list: {@code [user@]host[:port]} or {@code ssh://[user@]host[:port]}. */
public record JumpHost(Optional<String> user, String host, OptionalInt port) {

    /** Parses one hop as readconf.c's parse_ssh_uri / parse_user_host_port do; empty when malformed. */
    public static Optional<JumpHost> parse(String spec) {
        String rest = spec;
        if (rest.startsWith("ssh://")) {
            rest = rest.substring("ssh://".length());
            if (rest.endsWith("/")) {
                rest = rest.substring(0, rest.length() - 1);
            }
        }
        Optional<String> user = Optional.empty();
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            user = Optional.of(rest.substring(0, at));
            rest = rest.substring(at + 1);
        }
        String host;
        String portText = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                return Optional.empty();
            }
            host = rest.substring(1, close);
            String after = rest.substring(close + 1);
            if (after.startsWith(":")) {
                portText = after.substring(1);
            } else if (!after.isEmpty()) {
                return Optional.empty();
            }
        } else {
            int colon = rest.indexOf(':');
            host = colon < 0 ? rest : rest.substring(0, colon);
            portText = colon < 0 ? null : rest.substring(colon + 1);
        }
        if (host.isEmpty() || user.map(String::isEmpty).orElse(false)) {
            return Optional.empty();
        }
        OptionalInt port = OptionalInt.empty();
        if (portText != null) {
            try {
                int p = Integer.parseInt(portText);
                if (p < 1 || p > 65535) {
                    return Optional.empty();
                }
                port = OptionalInt.of(p);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.of(new JumpHost(user, host, port));
    }

    /** As OpenSSH prints a hop: {@code user@host:port}, with brackets around numeric addresses. */
    @Override
    public String toString() {
        boolean numeric = host.contains(":") || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
        return user.map(u -> u + "@").orElse("") + (numeric ? "[" + host + "]" : host)
                + (port.isPresent() ? ":" + port.getAsInt() : "");
    }
}
