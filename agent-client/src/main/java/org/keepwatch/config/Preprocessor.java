package org.keepwatch.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Produces the text keepalived actually parses for one config id: {@code @id}/{@code @^id} lines kept or
 * dropped, {@code $NAME=} definitions applied (recursively, multi-line ones too), {@code ~SEQ}/{@code ~LST}
 * expanded and includes read in place. Each produced line remembers the file and line it came from.
 */
final class Preprocessor {
    private static final Pattern DEFINITION = Pattern.compile("\\$([A-Za-z_][A-Za-z0-9_]*)=(.*)", Pattern.DOTALL);
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:\\s+([^}]*))?}|\\$([A-Za-z_][A-Za-z0-9_]*)(?=\\s|$)");
    private static final Pattern LOOP = Pattern.compile("~(SEQx?|LST)\\(");
    /** keepalived can generate 65,024 instances from one line; beyond this the output is cut and reported. */
    static final int MAX_OUTPUT_LINES = 2_000_000;
    private static final int MAX_SUBSTITUTION_PASSES = 32;
    /**
     * What one pass of a loop costs beyond its characters, in the units of {@link #expansionWork}: nested loops whose
     * bodies only define variables write no line, so the bound on output lines never sees them.
     */
    private static final int WORK_PER_ITERATION = 64;

    private final FileSource source;
    private final String configId;
    private final ParseLimits limits;
    private final Map<String, String> definitions = new HashMap<>();
    private final Map<String, SourceFile> loaded;
    private final Set<String> includeChain = new HashSet<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Location> origins = new ArrayList<>();
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private final Random random = new Random(0); // ${_RANDOM} only needs to be a number for checking
    private String currentDirectory = ".";
    private boolean truncated;
    /** Characters produced by loops and substitutions so far; bounded by the bytes the engine reads at most. */
    private long expansionWork;

    Preprocessor(FileSource source, String configId, ParseLimits limits, List<SourceFile> loaded) {
        this.source = source;
        this.configId = configId;
        this.limits = limits;
        this.loaded = new HashMap<>();
        loaded.forEach(f -> this.loaded.put(f.path(), f));
    }

    record Output(SourceFile file, List<Diagnostic> diagnostics) {
    }

    Output run(SourceFile main) {
        includeChain.add(main.path());
        processFile(main, 0);
        Location[] lineOrigins = origins.toArray(new Location[0]);
        byte[] text = out.toByteArray();
        // the SourceFile counts a line after a final newline; give it an origin too
        Location[] padded = Arrays.copyOf(lineOrigins, lineOrigins.length + 1);
        padded[lineOrigins.length] = lineOrigins.length == 0 ? new Location(main.path(), 1, 1) : lineOrigins[lineOrigins.length - 1];
        return new Output(new SourceFile(main.path(), text, padded), diagnostics);
    }

    private void processFile(SourceFile file, int depth) {
        String savedDirectory = currentDirectory;
        currentDirectory = PosixPaths.parent(file.path());
        for (int l = 0; l < file.lineCount() && !truncated; l++) {
            String text = file.lineText(l);
            Location origin = file.lineLocation(l);
            // a definition continued with trailing backslashes is one logical line
            while (endsWithBackslash(stripComment(text)) && DEFINITION.matcher(stripComment(text).strip()).matches()
                && l + 1 < file.lineCount()) {
                String stripped = stripComment(text).strip();
                text = stripped.substring(0, stripped.length() - 1) + "\n" + file.lineText(++l);
            }
            processLine(text, origin, depth, 0);
        }
        currentDirectory = savedDirectory;
    }

    private static boolean endsWithBackslash(String text) {
        return text.stripTrailing().endsWith("\\");
    }

    private void processLine(String rawLine, Location origin, int depth, int expansionDepth) {
        if (truncated) return;
        if (expansionDepth > MAX_SUBSTITUTION_PASSES) {
            diagnostics.add(DiagnosticCode.INCLUDE_LIMIT.at(origin, "definitions expand into each other more than "
                + MAX_SUBSTITUTION_PASSES + " times"));
            return;
        }
        String line = rawLine.contains("\n") ? rawLine.strip() : stripComment(rawLine).strip();
        if (line.isEmpty()) return;
        if (line.startsWith("@")) {
            int space = indexOfBlank(line);
            String id = line.substring(1, space < 0 ? line.length() : space);
            boolean negate = id.startsWith("^");
            boolean matches = (negate ? id.substring(1) : id).equals(configId);
            if (matches == negate) return;
            line = space < 0 ? "" : line.substring(space).strip();
            if (line.isEmpty()) return;
        }
        Matcher definition = DEFINITION.matcher(line);
        if (definition.matches()) {
            definitions.put(definition.group(1), definition.group(2).strip());
            return;
        }
        if (line.startsWith("~SEQ") || line.startsWith("~LST")) {
            expandLoop(line, origin, depth, expansionDepth);
            return;
        }
        String substituted = substitute(line, origin);
        if (!substituted.equals(line)) {
            for (String part : substituted.split("\n", -1)) processLine(part, origin, depth, expansionDepth + 1);
            return;
        }
        String keyword = line.split("[ \t]", 2)[0];
        if (TreeBuilder.INCLUDE_KEYWORDS.contains(keyword)) {
            include(line, origin, depth);
            return;
        }
        emit(line, origin);
    }

    private void emit(String line, Location origin) {
        if (origins.size() >= MAX_OUTPUT_LINES) {
            diagnostics.add(DiagnosticCode.INCLUDE_LIMIT.at(origin, "the configuration expands to more than "
                + MAX_OUTPUT_LINES + " lines; the rest is not checked"));
            truncated = true;
            return;
        }
        out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
        origins.add(origin);
    }

    private void include(String line, Location origin, int depth) {
        String[] parts = line.split("[ \t]+");
        if (parts.length < 2 || depth >= limits.maxIncludeDepth()) return; // the raw parse reports these
        String pattern = parts[1].replace("\"", "");
        for (String path : new IncludeResolver(source).resolve(currentDirectory, pattern, limits.maxFiles())) {
            if (!includeChain.add(path)) continue;
            SourceFile file = loaded.get(path);
            if (file == null) {
                var bytes = source.read(path).contents(); // the raw parse has said why when there are none
                if (bytes.isEmpty()) {
                    includeChain.remove(path);
                    continue;
                }
                file = new SourceFile(path, bytes.get());
                loaded.put(path, file);
            }
            processFile(file, depth + 1);
            includeChain.remove(path);
        }
    }

    /** Replaces $NAME and ${NAME} until nothing changes; undefined names stay as written, as in keepalived. */
    private String substitute(String line, Location origin) {
        if (line.indexOf('$') < 0) return line;
        String current = line;
        for (int pass = 0; pass < MAX_SUBSTITUTION_PASSES; pass++) {
            Matcher m = REFERENCE.matcher(current);
            StringBuilder result = new StringBuilder();
            boolean changed = false;
            while (m.find()) {
                String name = m.group(1) != null ? m.group(1) : m.group(3);
                String value = valueOf(name, m.group(2));
                if (value == null) {
                    m.appendReplacement(result, Matcher.quoteReplacement(m.group()));
                } else {
                    m.appendReplacement(result, Matcher.quoteReplacement(value));
                    changed = true;
                }
            }
            m.appendTail(result);
            if (!changed) return current;
            current = result.toString();
            if (!chargeExpansion(current.length(), origin)) return "";
            if (current.length() > limits.maxLineBytes() * 16) {
                diagnostics.add(DiagnosticCode.LINE_TOO_LONG.at(origin, "definitions expand this line beyond "
                    + (limits.maxLineBytes() * 16) + " characters"));
                return "";
            }
        }
        return current;
    }

    private String valueOf(String name, String params) {
        switch (name) {
            case "_PWD":
                return currentDirectory;
            case "_INSTANCE":
                return configId;
            case "_HASH":
                return "#";
            case "_BANG":
                return "!";
            case "_RANDOM": {
                String[] bounds = params == null ? new String[0] : params.strip().split("\\s+");
                long min = bounds.length > 0 ? parseLong(bounds[0], 0) : 0;
                long max = bounds.length > 1 ? parseLong(bounds[1], 32767) : 32767;
                return Long.toString(max <= min ? min : min + (long) (random.nextDouble() * (max - min + 1)));
            }
            default:
                return definitions.get(name);
        }
    }

    private static long parseLong(String text, long fallback) {
        try {
            return Long.decode(text.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private void expandLoop(String line, Location origin, int depth, int expansionDepth) {
        Matcher m = LOOP.matcher(line);
        if (!m.lookingAt()) {
            emit(line, origin);
            return;
        }
        int close = matchingParen(line, m.end() - 1);
        if (close < 0) {
            diagnostics.add(DiagnosticCode.INVALID_VALUE.at(origin, m.group() + " without its closing ')'"));
            return;
        }
        String spec = line.substring(m.end(), close);
        String body = line.substring(close + 1).strip();
        Iterable<Map<String, String>> bindings = m.group(1).equals("LST") ? listBindings(spec)
            : Sequence.parse(spec, m.group(1).equals("SEQx")).orElse(null);
        if (bindings == null) {
            diagnostics.add(DiagnosticCode.INVALID_VALUE.at(origin, "cannot read " + m.group() + spec + ")"));
            return;
        }
        for (Map<String, String> binding : bindings) {
            if (truncated || !chargeExpansion(WORK_PER_ITERATION + body.length(), origin)) return;
            definitions.putAll(binding);
            processLine(body, origin, depth, expansionDepth + 1);
        }
    }

    /**
     * Counts expansion work against the most bytes the engine reads ({@link ParseLimits#maxTotalBytes()}); past it,
     * says so at the line being expanded and stops, as for too many output lines.
     */
    private boolean chargeExpansion(long units, Location origin) {
        expansionWork += units;
        if (expansionWork <= limits.maxTotalBytes()) return true;
        if (!truncated) {
            diagnostics.add(DiagnosticCode.INCLUDE_LIMIT.at(origin, "expanding the ~SEQ/~LST loops and $definitions of "
                + "this line takes more than " + limits.maxTotalBytes() + " characters of work (loops nested in loops?); "
                + "the rest is not checked"));
        }
        truncated = true;
        return false;
    }

    private static int matchingParen(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            if (text.charAt(i) == '(') {
                depth++;
            } else if (text.charAt(i) == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** {@code ~SEQ(var, [start,] end [, step])}: its values one at a time, never all held at once. */
    private record Sequence(String var, long start, long end, long step, boolean hex) implements Iterable<Map<String, String>> {

        static Optional<Sequence> parse(String spec, boolean hex) {
            String[] parts = spec.split(",");
            if (parts.length < 2 || parts.length > 4) return Optional.empty();
            try {
                long start;
                long step;
                long end;
                if (parts.length == 2) {
                    end = Long.decode(parts[1].strip());
                    start = end >= 0 ? 1 : -1;
                    step = end >= start ? 1 : -1;
                } else {
                    start = Long.decode(parts[1].strip());
                    end = Long.decode(parts[parts.length - 1].strip());
                    step = parts.length == 4 ? Long.decode(parts[2].strip()) : end >= start ? 1 : -1;
                }
                return step == 0 ? Optional.empty()
                    : Optional.of(new Sequence(parts[0].strip(), start, end, step, hex));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        @Override
        public Iterator<Map<String, String>> iterator() {
            return new Iterator<>() {
                private long next = start;
                private boolean done = step > 0 ? start > end : start < end;

                @Override
                public boolean hasNext() {
                    return !done;
                }

                @Override
                public Map<String, String> next() {
                    if (done) throw new NoSuchElementException();
                    long value = next;
                    try {
                        next = Math.addExact(next, step);
                        done = step > 0 ? next > end : next < end;
                    } catch (ArithmeticException overflow) {
                        done = true;
                    }
                    return Map.of(var, hex ? Long.toHexString(value) : Long.toString(value));
                }
            };
        }
    }

    private static List<Map<String, String>> listBindings(String spec) {
        String trimmed = spec.strip();
        List<String> names;
        String rest;
        if (trimmed.startsWith("{")) {
            int close = trimmed.indexOf('}');
            if (close < 0) return null;
            names = splitList(trimmed.substring(1, close));
            rest = trimmed.substring(close + 1).strip();
        } else {
            int comma = trimmed.indexOf(',');
            if (comma < 0) return null;
            names = List.of(trimmed.substring(0, comma).strip());
            rest = trimmed.substring(comma).strip();
        }
        if (!rest.startsWith(",")) return null;
        rest = rest.substring(1);
        List<Map<String, String>> out = new ArrayList<>();
        if (names.size() == 1) {
            for (String value : splitList(rest)) out.add(Map.of(names.get(0), value));
        } else {
            Matcher group = Pattern.compile("\\{([^}]*)}").matcher(rest);
            while (group.find()) {
                List<String> values = splitList(group.group(1));
                Map<String, String> binding = new HashMap<>();
                for (int i = 0; i < names.size() && i < values.size(); i++) binding.put(names.get(i), values.get(i));
                out.add(binding);
            }
        }
        return out.isEmpty() ? null : out;
    }

    private static List<String> splitList(String text) {
        List<String> out = new ArrayList<>();
        for (String part : text.split(",")) out.add(part.strip());
        return out;
    }

    private static int indexOfBlank(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ' ' || text.charAt(i) == '\t') return i;
        }
        return -1;
    }

    /** keepalived's decomment(): a '#' or '!' outside double quotes ends the line; '\#' and '\!' are literal. */
    static String stripComment(String line) {
        boolean quote = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quote = !quote;
            } else if (c == '\\') {
                i++;
            } else if (!quote && (c == '#' || c == '!')) {
                return line.substring(0, i);
            }
        }
        return line;
    }
}
