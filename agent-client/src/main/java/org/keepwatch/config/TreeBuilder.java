package org.keepwatch.config;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds the statement tree from files, line by line as keepalived reads them: braces open and close
 * blocks wherever they stand (a '{' alone on a line belongs to the statement above), includes are
 * read in place so a block may continue into an included file. Never throws on content: every
 * problem becomes a {@link Diagnostic}, and the tree keeps every line it could place.
 */
final class TreeBuilder implements LineScanner.Sink {

    /** What one build produced. */
    record Result(List<SourceFile> files, List<Statement> roots, List<Diagnostic> diagnostics) {
    }

    static final Set<String> INCLUDE_KEYWORDS = Set.of("include", "includer", "includem", "includew", "includeb", "includea");
    private static final Pattern DEFINITION = Pattern.compile("\\$[A-Za-z_][A-Za-z0-9_]*=.*", Pattern.DOTALL);

    private final FileSource source;
    private final ParseLimits limits;
    private final boolean followIncludes;
    private final LineScanner scanner = new LineScanner();
    private final Map<String, SourceFile> files = new LinkedHashMap<>();
    private final Set<String> includeChain = new HashSet<>();
    private final List<Statement> roots = new ArrayList<>();
    private final Deque<Statement> open = new ArrayDeque<>();
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private final Map<String, String> keywordPool = new HashMap<>();
    private long totalBytes;
    private int includeDepth;

    // state of the line being scanned
    private SourceFile file;
    private int line;
    private String condition;
    private final List<String> words = new ArrayList<>();
    private int[] spans = new int[16];
    private Statement lastStatement;
    private String lastReportKey = "";

    TreeBuilder(FileSource source, ParseLimits limits, boolean followIncludes) {
        this.source = source;
        this.limits = limits;
        this.followIncludes = followIncludes;
    }

    Result build(String mainPath) {
        FileRead read = source.read(mainPath);
        if (!(read instanceof FileRead.Contents contents)) {
            diagnostics.add(DiagnosticCode.FILE_MISSING.at(new Location(mainPath, 1, 1), "cannot read " + mainPath
                + (read instanceof FileRead.Refused refused ? ": it " + refused.why() : "")));
            return new Result(List.of(), roots, diagnostics);
        }
        return build(new SourceFile(mainPath, contents.bytes()));
    }

    Result build(SourceFile main) {
        files.put(main.path(), main);
        totalBytes += main.length();
        includeChain.add(main.path());
        parseFile(main);
        for (Statement unclosed : open) {
            diagnostics.add(DiagnosticCode.UNCLOSED_BLOCK.at(unclosed.location(),
                "block '" + unclosed.keyword() + "' opened here is never closed with '}'"));
        }
        return new Result(List.copyOf(files.values()), roots, diagnostics);
    }

    private void parseFile(SourceFile sourceFile) {
        sourceFile.firstInvalidUtf8().ifPresent(offset -> diagnostics.add(
            DiagnosticCode.INVALID_UTF8.at(sourceFile.location(offset), "invalid UTF-8 at byte " + offset)));
        for (int l = 0; l < sourceFile.lineCount(); l++) {
            l = parseLine(sourceFile, l);
        }
    }

    /** Parses one line (more for a continued definition); returns the index of the last line consumed. */
    private int parseLine(SourceFile sourceFile, int lineIndex) {
        SourceFile previousFile = file;
        int previousLine = line;
        file = sourceFile;
        line = lineIndex;
        int start = sourceFile.lineStart(lineIndex);
        int end = sourceFile.lineEnd(lineIndex);
        if (end - start > limits.maxLineBytes()) {
            diagnostics.add(DiagnosticCode.LINE_TOO_LONG.at(sourceFile.lineLocation(lineIndex),
                "line of " + (end - start) + " bytes; keepalived reads at most " + limits.maxLineBytes()));
        }
        LineScanner.Head head = scanner.head(sourceFile, start, end);
        condition = head.condition();
        int content = head.contentStart();
        int consumed = lineIndex;
        if (content < end && sourceFile.byteAt(content) == '$' && isDefinition(sourceFile, content, end)) {
            consumed = addDefinition(sourceFile, lineIndex, content);
        } else if (content + 4 < end && sourceFile.byteAt(content) == '~'
            && (startsWith(sourceFile, content, "~SEQ") || startsWith(sourceFile, content, "~LST"))) {
            addOpaque(Statement.Kind.LOOP, sourceFile, lineIndex, content, end);
        } else {
            LineScanner.Tail tail = scanner.scan(sourceFile, content, end, this, condition == null && isInclude(sourceFile, content, end));
            if (tail.unterminatedQuote()) {
                diagnostics.add(DiagnosticCode.UNTERMINATED_QUOTE.at(sourceFile.location(tail.unterminatedQuoteOffset()),
                    "quote opened here is not closed on this line"));
            }
            Statement statement = flush();
            if (statement != null) lastStatement = statement;
            if (statement != null && statement.kind() == Statement.Kind.INCLUDE && followIncludes) include(statement);
        }
        file = previousFile;
        line = previousLine;
        return consumed;
    }

    private static boolean isInclude(SourceFile f, int content, int end) {
        int wordEnd = content;
        while (wordEnd < end && !LineScanner.isBlank(f.byteAt(wordEnd))) wordEnd++;
        return wordEnd - content <= 8 && INCLUDE_KEYWORDS.contains(f.text(content, wordEnd));
    }

    private static boolean startsWith(SourceFile f, int offset, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (offset + i >= f.length() || f.byteAt(offset + i) != text.charAt(i)) return false;
        }
        return true;
    }

    private static boolean isDefinition(SourceFile f, int start, int end) {
        int eq = start + 1;
        while (eq < end && eq - start < 256 && f.byteAt(eq) != '=' && !LineScanner.isBlank(f.byteAt(eq))) eq++;
        return eq < end && f.byteAt(eq) == '=' && DEFINITION.matcher(f.text(start, eq + 1)).matches();
    }

    private int addDefinition(SourceFile f, int lineIndex, int content) {
        int end = f.lineEnd(lineIndex);
        int eq = content;
        while (f.byteAt(eq) != '=') eq++;
        int last = lineIndex;
        while (endsWithBackslash(f, last) && last + 1 < f.lineCount()) last++;
        int valueEnd = f.lineEnd(last);
        Statement node = new Statement(f, lineIndex, Statement.Kind.DEFINITION, condition,
            new String[] {f.text(content + 1, eq), f.text(eq + 1, valueEnd)},
            new int[] {content, eq, eq + 1, Math.max(eq + 1, valueEnd)});
        node.lastLine(last);
        add(node);
        return last;
    }

    private static boolean endsWithBackslash(SourceFile f, int lineIndex) {
        int p = f.lineEnd(lineIndex) - 1;
        int start = f.lineStart(lineIndex);
        while (p >= start && LineScanner.isBlank(f.byteAt(p))) p--;
        return p >= start && f.byteAt(p) == '\\';
    }

    private void addOpaque(Statement.Kind kind, SourceFile f, int lineIndex, int start, int end) {
        int trimmed = end;
        while (trimmed > start && LineScanner.isBlank(f.byteAt(trimmed - 1))) trimmed--;
        add(new Statement(f, lineIndex, kind, condition, new String[] {f.text(start, trimmed)}, new int[] {start, trimmed}));
    }

    @Override
    public void word(int start, int end, String value) {
        if (words.size() >= limits.maxWordsPerStatement()) return;
        if (words.isEmpty()) value = keywordPool.computeIfAbsent(value, v -> v);
        int index = words.size();
        if (spans.length < 2 * index + 2) spans = Arrays.copyOf(spans, spans.length * 2);
        spans[2 * index] = start;
        spans[2 * index + 1] = end;
        words.add(value);
    }

    @Override
    public void open(int offset) {
        Statement owner = flush();
        if (owner == null) {
            List<Statement> siblings = open.isEmpty() ? roots : open.peek().children();
            boolean braceOnNextLine = lastStatement != null && !lastStatement.hasBlock()
                && !siblings.isEmpty() && siblings.get(siblings.size() - 1) == lastStatement;
            if (braceOnNextLine) {
                owner = lastStatement;
            } else {
                report(DiagnosticCode.UNEXPECTED_OPEN, offset, "'{' without a keyword before it");
                owner = new Statement(file, line, Statement.Kind.KEYWORD, condition, new String[0], new int[0]);
                add(owner);
            }
        }
        if (open.size() >= limits.maxNesting()) {
            report(DiagnosticCode.UNEXPECTED_OPEN, offset, "blocks nested deeper than " + limits.maxNesting());
            return;
        }
        owner.openBlock(offset);
        open.push(owner);
        lastStatement = null;
    }

    @Override
    public void close(int offset) {
        flush();
        lastStatement = null;
        if (open.isEmpty()) {
            report(DiagnosticCode.UNEXPECTED_CLOSE, offset, "'}' closes no block");
            return;
        }
        open.pop().close(file, offset);
    }

    /** One report per problem and line: a line of ten million braces is one finding, not ten million. */
    private void report(DiagnosticCode code, int offset, String message) {
        String key = file.path() + ":" + line + ":" + code;
        if (key.equals(lastReportKey)) return;
        lastReportKey = key;
        diagnostics.add(code.at(file.location(offset), message));
    }

    /** Turns the words gathered since the last brace or line start into a statement. */
    private Statement flush() {
        if (words.isEmpty()) return null;
        String[] values = words.toArray(new String[0]);
        int[] wordSpans = Arrays.copyOf(spans, 2 * values.length);
        words.clear();
        Statement.Kind kind = INCLUDE_KEYWORDS.contains(values[0]) && condition == null ? Statement.Kind.INCLUDE : Statement.Kind.KEYWORD;
        Statement node = new Statement(file, line, kind, condition, values, wordSpans);
        add(node);
        return node;
    }

    private void add(Statement node) {
        if (open.isEmpty()) roots.add(node);
        else open.peek().addChild(node);
        lastStatement = null;
    }

    private void include(Statement statement) {
        if (statement.wordCount() < 2) {
            diagnostics.add(DiagnosticCode.MISSING_VALUE.at(statement.location(), statement.keyword() + " needs a file name or pattern"));
            return;
        }
        if (includeDepth >= limits.maxIncludeDepth()) {
            diagnostics.add(DiagnosticCode.INCLUDE_LIMIT.at(statement.location(), "includes nested deeper than " + limits.maxIncludeDepth()));
            return;
        }
        String pattern = statement.word(1);
        List<String> matches = new IncludeResolver(source).resolve(PosixPaths.parent(statement.file().path()), pattern,
            limits.maxFiles());
        if (matches.isEmpty()) {
            diagnostics.add(DiagnosticCode.INCLUDE_NO_MATCH.at(statement.wordLocation(1), "include '" + pattern + "' matches no file"));
            return;
        }
        for (String path : matches) {
            if (includeChain.contains(path)) {
                diagnostics.add(DiagnosticCode.INCLUDE_LOOP.at(statement.wordLocation(1),
                    "'" + path + "' is already being read: include loop"));
                continue;
            }
            if (!files.containsKey(path) && files.size() >= limits.maxFiles()) {
                diagnostics.add(DiagnosticCode.INCLUDE_LIMIT.at(statement.wordLocation(1),
                    "more than " + limits.maxFiles() + " configuration files; the rest are not read"));
                return;
            }
            SourceFile included = files.get(path);
            if (included == null) {
                FileRead read = source.read(path);
                if (read instanceof FileRead.Refused refused) {
                    diagnostics.add(DiagnosticCode.FILE_REFUSED.at(statement.wordLocation(1),
                        "include '" + pattern + "': " + path + " " + refused.why()));
                    continue;
                }
                Optional<byte[]> bytes = read.contents();
                if (bytes.isEmpty()) {
                    diagnostics.add(DiagnosticCode.INCLUDE_NO_MATCH.at(statement.wordLocation(1), "cannot read included file " + path));
                    continue;
                }
                if (totalBytes + bytes.get().length > limits.maxTotalBytes()) {
                    diagnostics.add(DiagnosticCode.INCLUDE_LIMIT.at(statement.wordLocation(1),
                        "configuration larger than " + limits.maxTotalBytes() + " bytes; the rest is not read"));
                    return;
                }
                totalBytes += bytes.get().length;
                included = new SourceFile(path, bytes.get());
                files.put(path, included);
            }
            includeChain.add(path);
            includeDepth++;
            Statement savedLast = lastStatement;
            parseFile(included);
            lastStatement = savedLast;
            includeDepth--;
            includeChain.remove(path);
        }
    }
}
