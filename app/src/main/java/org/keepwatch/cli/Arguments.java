package org.keepwatch.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Options and operands of one subcommand: {@code --flag}, {@code --name VALUE} (repeatable) and plain words. */
final class Arguments {
    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> operands = new ArrayList<>();

    Arguments(List<String> args, Set<String> flags, Set<String> valued) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (flags.contains(arg)) {
                options.computeIfAbsent(arg, k -> new ArrayList<>());
            } else if (valued.contains(arg)) {
                if (i + 1 >= args.size()) throw new UsageException(arg + " needs a value");
                options.computeIfAbsent(arg, k -> new ArrayList<>()).add(args.get(++i));
            } else if (arg.startsWith("--") && arg.contains("=") && valued.contains(arg.substring(0, arg.indexOf('=')))) {
                options.computeIfAbsent(arg.substring(0, arg.indexOf('=')), k -> new ArrayList<>()).add(arg.substring(arg.indexOf('=') + 1));
            } else if (arg.startsWith("-") && arg.length() > 1) {
                throw new UsageException("unknown option " + arg);
            } else {
                operands.add(arg);
            }
        }
    }

    boolean has(String flag) {
        return options.containsKey(flag);
    }

    Optional<String> value(String option) {
        List<String> values = options.getOrDefault(option, List.of());
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(values.size() - 1));
    }

    List<String> values(String option) {
        return options.getOrDefault(option, List.of());
    }

    List<String> operands() {
        return operands;
    }
}
