package org.keepwatch.fleet.edit;

import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.edit.FieldProblem.Field;
import org.keepwatch.ssh.JumpHost;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a node or group form against the fleet it goes into, and says what is wrong in words that name the
 * field and the value. Files are checked on this workstation (keys and known_hosts are read here).
 */
public final class FleetValidator {

    private static final Pattern HOST_WITH_PORT = Pattern.compile("[^:\\[\\]]+:\\d+");
    private static final int MAX_PORT = 65535;
    private final Path home;

    /** @param home what a leading {@code ~} in a file name means */
    public FleetValidator(Path home) {
        this.home = home;
    }

    /** @param editing the node's name before this edit (empty for a new node) */
    public List<FieldProblem> node(Fleet fleet, Optional<String> editing, String name, String group, SettingsInput input) {
        List<FieldProblem> problems = new ArrayList<>();
        String trimmed = name.strip();
        if (trimmed.isEmpty()) {
            problems.add(FieldProblem.error(Field.NAME, "A node needs a name (it is shown everywhere, and is the "
                    + "~/.ssh/config alias when Host is empty)"));
        } else if (hasWhitespace(trimmed)) {
            problems.add(FieldProblem.error(Field.NAME, "Name \"" + trimmed + "\" contains a space; ssh cannot use it "
                    + "as a host alias"));
        } else if (!editing.map(trimmed::equals).orElse(false) && fleet.node(trimmed).isPresent()) {
            problems.add(FieldProblem.error(Field.NAME, "There is already a node named " + trimmed));
        }
        if (!group.strip().equals(group) && !group.isBlank()) {
            problems.add(FieldProblem.error(Field.GROUP, "Group \"" + group + "\" starts or ends with a space"));
        }
        problems.addAll(settings(input, trimmed));
        return problems;
    }

    /** @param editing the group's name before this edit (empty for a new group) */
    public List<FieldProblem> group(Fleet fleet, Optional<String> editing, String name, SettingsInput defaults) {
        List<FieldProblem> problems = new ArrayList<>();
        String trimmed = name.strip();
        if (trimmed.isEmpty()) {
            problems.add(FieldProblem.error(Field.NAME, "A group needs a name"));
        } else if (!editing.map(trimmed::equals).orElse(false) && fleet.group(trimmed).isPresent()) {
            problems.add(FieldProblem.error(Field.NAME, "There is already a group named " + trimmed));
        }
        problems.addAll(settings(defaults, ""));
        return problems;
    }

    private List<FieldProblem> settings(SettingsInput input, String nodeName) {
        List<FieldProblem> problems = new ArrayList<>();
        String host = input.host().strip();
        if (hasWhitespace(host)) {
            problems.add(FieldProblem.error(Field.HOST, "Host \"" + host + "\" contains a space"));
        } else if (host.contains("@")) {
            problems.add(FieldProblem.error(Field.HOST, "Host \"" + host + "\" contains @: put the user name in User"));
        } else if (HOST_WITH_PORT.matcher(host).matches()) {
            problems.add(FieldProblem.error(Field.HOST, "Host \"" + host + "\" contains a port: put "
                    + host.substring(host.indexOf(':') + 1) + " in Port"));
        }
        String port = input.port().strip();
        if (!port.isEmpty()) {
            Optional<Integer> number = parsePort(port);
            if (number.isEmpty()) {
                problems.add(FieldProblem.error(Field.PORT, "Port \"" + port + "\" is not a number between 1 and " + MAX_PORT));
            }
        }
        String user = input.user().strip();
        if (hasWhitespace(user)) {
            problems.add(FieldProblem.error(Field.USER, "User \"" + user + "\" contains a space"));
        }
        file(input.identityFile(), Field.IDENTITY_FILE, "key").ifPresent(problems::add);
        file(input.knownHostsFile(), Field.KNOWN_HOSTS_FILE, "known_hosts file").ifPresent(problems::add);
        String jump = input.jumpHost().strip();
        if (!jump.isEmpty()) {
            for (String hop : jump.split(",", -1)) {
                String trimmedHop = hop.strip();
                if (trimmedHop.isEmpty() || hasWhitespace(trimmedHop) || JumpHost.parse(trimmedHop).isEmpty()) {
                    problems.add(FieldProblem.error(Field.JUMP_HOST, "Jump host \"" + trimmedHop + "\" is not "
                            + "[user@]host[:port] (several hops are separated by commas)"));
                } else if (!nodeName.isEmpty() && JumpHost.parse(trimmedHop).get().host().equals(nodeName)) {
                    problems.add(FieldProblem.error(Field.JUMP_HOST, "A node cannot be its own jump host"));
                }
            }
        }
        return problems;
    }

    private Optional<FieldProblem> file(String typed, Field field, String what) {
        String text = typed.strip();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (text.contains("%")) {
            // ssh_config tokens (%d, %h...) are expanded when connecting; nothing to check here.
            return Optional.empty();
        }
        Path path = expand(text);
        if (Files.isDirectory(path)) {
            return Optional.of(FieldProblem.error(field, text + " is a directory, not a " + what));
        }
        if (!Files.exists(path)) {
            return Optional.of(FieldProblem.warning(field, "There is no " + what + " at " + path + " on this workstation"
                    + (field == Field.KNOWN_HOSTS_FILE ? " (accepting a host key will create it)" : "")));
        }
        return Optional.empty();
    }

    /** {@code ~/x} as OpenSSH reads it. */
    public Path expand(String file) {
        if (file.equals("~")) {
            return home;
        }
        if (file.startsWith("~/")) {
            return home.resolve(file.substring(2));
        }
        return Path.of(file);
    }

    private static Optional<Integer> parsePort(String text) {
        try {
            int value = Integer.parseInt(text);
            return value >= 1 && value <= MAX_PORT ? Optional.of(value) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean hasWhitespace(String text) {
        return text.chars().anyMatch(Character::isWhitespace);
    }
}
