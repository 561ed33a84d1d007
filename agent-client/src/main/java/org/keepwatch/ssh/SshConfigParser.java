package org.keepwatch.ssh;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads an ssh_config file into directives the way readconf.c splits lines: a keyword, then whitespace and/or one
 * {@code =}, then arguments with quotes, ending at a {@code #} that starts an argument. {@code Include} is expanded
 * here (globs, {@code ~}, relative to ~/.ssh for user files or /etc/ssh for the system file), because which
 * files exist does not depend on the host being resolved.
 */
final class SshConfigParser {

    /** One line of an ssh_config, or an Include with the files it brought in. */
    sealed interface Entry permits Directive, Include {
    }

    /** A keyword (lower-cased) and its arguments. */
    record Directive(Path file, int line, String keyword, List<String> args) implements Entry {
        String firstArg() {
            return args.get(0);
        }
    }

    /** An Include line and, in glob order, the files it names that exist. */
    record Include(Path file, int line, List<ParsedFile> files) implements Entry {
    }

    record ParsedFile(Path path, List<Entry> entries) {
    }

    /** OpenSSH's MAX_INCLUDE_DEPTH. */
    private static final int MAX_INCLUDE_DEPTH = 16;

    private final Path includeBase;
    private final Path home;

    /**
     * @param includeBase where relative Include paths are anchored (~/.ssh for user files, /etc/ssh for the system one)
     * @param home        what a leading {@code ~} means
     */
    SshConfigParser(Path includeBase, Path home) {
        this.includeBase = includeBase;
        this.home = home;
    }

    /** The file's entries; a missing file reads as empty, as OpenSSH treats it. */
    ParsedFile parse(Path file) throws SshException.BadConfig {
        return parse(file, 0);
    }

    private ParsedFile parse(Path file, int depth) throws SshException.BadConfig {
        if (depth > MAX_INCLUDE_DEPTH) {
            throw new SshException.BadConfig(file, 0, "too many nested Include files");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            return new ParsedFile(file, List.of());
        } catch (IOException e) {
            throw new SshException.BadConfig(file, 0, "cannot read: " + e.getMessage());
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            List<String> words = splitLine(lines.get(i), file, lineNumber);
            if (words.isEmpty()) {
                continue;
            }
            String keyword = words.get(0).toLowerCase(Locale.ROOT);
            List<String> args = List.copyOf(words.subList(1, words.size()));
            if (args.isEmpty()) {
                throw new SshException.BadConfig(file, lineNumber, "no argument after keyword \"" + words.get(0) + "\"");
            }
            if (keyword.equals("include")) {
                entries.add(include(file, lineNumber, args, depth));
            } else {
                entries.add(new Directive(file, lineNumber, keyword, args));
            }
        }
        return new ParsedFile(file, List.copyOf(entries));
    }

    private Include include(Path file, int line, List<String> args, int depth) throws SshException.BadConfig {
        List<ParsedFile> files = new ArrayList<>();
        for (String arg : args) {
            String pattern;
            if (arg.startsWith("~")) {
                pattern = home + arg.substring(1);
            } else if (arg.startsWith("/")) {
                pattern = arg;
            } else {
                pattern = includeBase.resolve(arg).toString();
            }
            for (Path match : Globs.expand(pattern)) {
                files.add(parse(match, depth + 1));
            }
        }
        return new Include(file, line, List.copyOf(files));
    }

    /**
     * readconf.c's line split: the keyword ends at whitespace or '=', one '=' may sit between keyword and
     * arguments; arguments follow argv_split(): single or double quotes, backslash escapes of quotes and
     * backslashes, and a '#' at the start of an argument ends the line.
     */
    static List<String> splitLine(String line, Path file, int lineNumber) throws SshException.BadConfig {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n && isSpace(line.charAt(i))) {
            i++;
        }
        int start = i;
        while (i < n && !isSpace(line.charAt(i)) && line.charAt(i) != '=') {
            i++;
        }
        String keyword = line.substring(start, i);
        if (keyword.isEmpty() || keyword.startsWith("#")) {
            return words;
        }
        words.add(keyword);
        while (i < n && isSpace(line.charAt(i))) {
            i++;
        }
        if (i < n && line.charAt(i) == '=') {
            i++;
        }
        while (i < n) {
            char c = line.charAt(i);
            if (isSpace(c)) {
                i++;
                continue;
            }
            if (c == '#') {
                break;
            }
            StringBuilder word = new StringBuilder();
            char quote = 0;
            while (i < n) {
                c = line.charAt(i);
                if (c == '\\' && i + 1 < n && "'\"\\".indexOf(line.charAt(i + 1)) >= 0) {
                    word.append(line.charAt(i + 1));
                    i += 2;
                } else if (quote != 0 && c == quote) {
                    quote = 0;
                    i++;
                } else if (quote == 0 && (c == '\'' || c == '"')) {
                    quote = c;
                    i++;
                } else if (quote == 0 && isSpace(c)) {
                    break;
                } else {
                    word.append(c);
                    i++;
                }
            }
            if (quote != 0) {
                throw new SshException.BadConfig(file, lineNumber, "unterminated quote");
            }
            words.add(word.toString());
        }
        return words;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
    }

    /** glob(3) for Include: wildcards in any path component, no hidden files for a bare '*', sorted results. */
    static final class Globs {
        private Globs() {
        }

        static List<Path> expand(String pattern) {
            if (!hasWildcard(pattern)) {
                Path path = Path.of(pattern);
                return Files.exists(path) ? List.of(path) : List.of();
            }
            Path absolute = Path.of(pattern);
            List<Path> current = List.of(absolute.getRoot() == null ? Path.of("") : absolute.getRoot());
            for (Path component : absolute) {
                String name = component.toString();
                List<Path> next = new ArrayList<>();
                for (Path dir : current) {
                    if (!hasWildcard(name)) {
                        Path child = dir.resolve(name);
                        if (Files.exists(child)) {
                            next.add(child);
                        }
                        continue;
                    }
                    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + name);
                    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                        for (Path child : children) {
                            Path childName = child.getFileName();
                            boolean hidden = childName.toString().startsWith(".") && !name.startsWith(".");
                            if (!hidden && matcher.matches(childName)) {
                                next.add(child);
                            }
                        }
                    } catch (IOException e) {
                        // Unreadable or not a directory: glob(3) skips it too.
                    }
                }
                current = next;
            }
            List<Path> sorted = new ArrayList<>(current);
            sorted.sort((a, b) -> a.toString().compareTo(b.toString()));
            return sorted;
        }

        private static boolean hasWildcard(String s) {
            return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
        }
    }
}
