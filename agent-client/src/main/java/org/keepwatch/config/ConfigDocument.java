package org.keepwatch.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A keepalived configuration as written: its main file and every file it includes, their exact bytes,
 * and the statement tree over them. Immutable; an edit yields a new document whose untouched lines are
 * the same bytes. The effective configuration for a config id is derived from it on demand.
 */
public final class ConfigDocument {
    private final FileSource source;
    private final ParseLimits limits;
    private final List<SourceFile> files;
    private final List<Statement> roots;
    private final List<Diagnostic> diagnostics;
    private final String mainPath;

    ConfigDocument(String mainPath, FileSource source, ParseLimits limits, TreeBuilder.Result result) {
        this.mainPath = mainPath;
        this.source = source;
        this.limits = limits;
        this.files = List.copyOf(result.files());
        this.roots = List.copyOf(result.roots());
        this.diagnostics = List.copyOf(result.diagnostics());
    }

    public String mainPath() {
        return mainPath;
    }

    /** The main file first, then included files in the order keepalived reads them. */
    public List<SourceFile> files() {
        return files;
    }

    public Optional<SourceFile> file(String path) {
        return files.stream().filter(f -> f.path().equals(path)).findFirst();
    }

    /** Top-level statements of the raw tree: every conditional branch present, nothing substituted. */
    public List<Statement> roots() {
        return roots;
    }

    /** Problems found reading and structuring the files (not the keyword checks, see the linter). */
    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    /** The bytes of every file, keyed by path: exactly what was read, plus any edits. */
    public Map<String, byte[]> render() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (SourceFile file : files) out.put(file.path(), ConfigWriter.write(file));
        return out;
    }

    /**
     * What keepalived would parse when run with {@code -i configId}: conditionals chosen, definitions,
     * sequences and lists expanded. Without any of those, it is the raw tree itself.
     */
    public EffectiveConfig effective(String configId) {
        if (files.isEmpty()) return new EffectiveConfig(configId, roots, List.of());
        if (!usesPreprocessing(roots)) return new EffectiveConfig(configId, roots, List.of());
        Preprocessor.Output expanded = new Preprocessor(source, configId, limits, files).run(files.get(0));
        TreeBuilder.Result parsed = new TreeBuilder(source, limits, false).build(expanded.file());
        List<Diagnostic> found = new ArrayList<>(expanded.diagnostics());
        for (Diagnostic d : parsed.diagnostics()) {
            if (!d.code().equals(DiagnosticCode.INVALID_UTF8.id())) found.add(d);
        }
        return new EffectiveConfig(configId, parsed.roots(), found);
    }

    private static boolean usesPreprocessing(List<Statement> nodes) {
        for (Statement node : nodes) {
            if (node.condition().isPresent() || node.kind() == Statement.Kind.DEFINITION || node.kind() == Statement.Kind.LOOP) return true;
            for (int i = 0; i < node.wordCount(); i++) {
                if (node.word(i).indexOf('$') >= 0) return true;
            }
            if (usesPreprocessing(node.children())) return true;
        }
        return false;
    }

    /** Applies byte-range replacements and parses the result again; edits must not overlap. */
    public ConfigDocument apply(List<TextEdit> edits) {
        Map<String, byte[]> changed = new LinkedHashMap<>();
        Map<String, List<TextEdit>> byFile = new LinkedHashMap<>();
        for (TextEdit edit : edits) byFile.computeIfAbsent(edit.path(), p -> new ArrayList<>()).add(edit);
        for (var entry : byFile.entrySet()) {
            SourceFile file = file(entry.getKey()).orElseThrow(() ->
                new IllegalArgumentException("not a file of this configuration: " + entry.getKey()));
            changed.put(file.path(), ConfigWriter.write(file, entry.getValue()));
        }
        Map<String, byte[]> all = new LinkedHashMap<>();
        for (SourceFile file : files) all.put(file.path(), changed.getOrDefault(file.path(), file.rawBytes()));
        FileSource overlay = new OverlaySource(all, source);
        return new ConfigDocument(mainPath, overlay, limits, new TreeBuilder(overlay, limits, true).build(mainPath));
    }

    /** Files whose bytes differ between this document and another (what an edit touched). */
    public List<String> changedFiles(ConfigDocument before) {
        List<String> out = new ArrayList<>();
        for (SourceFile file : files) {
            Optional<SourceFile> old = before.file(file.path());
            if (old.isEmpty() || !Arrays.equals(old.get().rawBytes(), file.rawBytes())) out.add(file.path());
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** Edited files in memory first, the original source for anything else (new includes). */
    private record OverlaySource(Map<String, byte[]> files, FileSource base) implements FileSource {
        @Override
        public FileRead read(String path) {
            byte[] bytes = files.get(path);
            return bytes != null ? new FileRead.Contents(bytes) : base.read(path);
        }

        @Override
        public boolean exists(String path) {
            return files.containsKey(path) || base.exists(path);
        }

        @Override
        public List<String> list(String directory) {
            return base.list(directory);
        }

        @Override
        public boolean isDirectory(String path) {
            return base.isDirectory(path);
        }
    }
}
