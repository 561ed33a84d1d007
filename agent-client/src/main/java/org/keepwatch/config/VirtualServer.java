package org.keepwatch.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * One virtual_server block: {@code virtual_server IP PORT}, {@code virtual_server fwmark N} or
 * {@code virtual_server group NAME}, with its real servers and their health checkers.
 */
public record VirtualServer(List<String> target, Optional<String> lbAlgo, Optional<String> lbKind, Optional<String> protocol,
                            OptionalDouble delayLoop, OptionalInt persistenceTimeout, List<RealServer> realServers,
                            Optional<RealServer> sorryServer, Map<String, List<String>> settings, Statement node) {

    public String name() {
        return String.join(" ", target);
    }

    public boolean isFwmark() {
        return !target.isEmpty() && target.get(0).equals("fwmark");
    }

    /** real_server IP [PORT] { weight; checkers }. */
    public record RealServer(String address, OptionalInt port, OptionalInt weight, List<Checker> checkers,
                             Map<String, List<String>> settings, Statement node) {
    }

    /** A health checker block (HTTP_GET, TCP_CHECK, MISC_CHECK, ...) with its settings by keyword. */
    public record Checker(String type, Map<String, List<String>> settings, List<Map<String, List<String>>> urls, Statement node) {
    }

    /** virtual_server_group NAME { entries }. */
    public record Group(String name, List<String> entries, Statement node) {
    }
}
