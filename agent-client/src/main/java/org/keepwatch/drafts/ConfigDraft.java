package org.keepwatch.drafts;

import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.config.ConfigDocument;
import org.keepwatch.config.ConfigParser;
import org.keepwatch.config.InMemorySource;
import org.keepwatch.config.KeepalivedConfig;
import org.keepwatch.config.LintOptions;
import org.keepwatch.config.LintReport;
import org.keepwatch.config.Linter;
import org.keepwatch.config.ModelBuilder;
import org.keepwatch.config.ParseLimits;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A keepalived configuration being edited: the files as the node's agent read them (each with the
 * hash an apply must name), and the document as edited so far. Immutable: every edit, from the form
 * or the text, yields a new draft, so lint and the push can work on one off the UI thread.
 */
public final class ConfigDraft {

    private static final Linter LINTER = new Linter();

    private final ConfigFiles base;
    private final ConfigDocument document;
    private final String configId;
    private final Baseline baseline;
    private KeepalivedConfig model;
    private Map<String, byte[]> rendered;

    private ConfigDraft(ConfigFiles base, ConfigDocument document, String configId, Baseline baseline) {
        this.base = base;
        this.document = document;
        this.configId = configId;
        this.baseline = baseline;
    }

    /** The typed view of the files as read, computed once for every draft made from them. */
    private static final class Baseline {
        private final ConfigFiles files;
        private final String configId;
        /** The keepalived version the node reports, which lint checks the draft against. */
        private final Optional<String> keepalived;
        private KeepalivedConfig model;

        Baseline(ConfigFiles files, String configId, Optional<String> keepalived) {
            this.files = files;
            this.configId = configId;
            this.keepalived = keepalived;
        }

        synchronized KeepalivedConfig model() {
            if (model == null) {
                model = ModelBuilder.build(parse(files.main(), files.bytes()).effective(configId));
            }
            return model;
        }
    }

    /** The files as read, parsed; {@code configId} is keepalived's -i there (which @id lines apply). */
    public static ConfigDraft of(ConfigFiles files, String configId) {
        return of(files, configId, Optional.empty());
    }

    /** As {@link #of(ConfigFiles, String)}, for a node that runs this keepalived version ("2.2.7"), which lint checks against. */
    public static ConfigDraft of(ConfigFiles files, String configId, Optional<String> keepalivedVersion) {
        return new ConfigDraft(files, parse(files.main(), files.bytes()), configId, new Baseline(files, configId, keepalivedVersion));
    }

    /** The keepalived version of the node the files came from, if it reported one. */
    public Optional<String> keepalivedVersion() {
        return baseline.keepalived;
    }

    public ConfigFiles base() {
        return base;
    }

    public ConfigDocument document() {
        return document;
    }

    public String configId() {
        return configId;
    }

    public String mainPath() {
        return base.main();
    }

    /** The files in keepalived's reading order. */
    public List<String> paths() {
        return base.files().stream().map(ConfigFiles.File::path).toList();
    }

    /** A file's text as edited. */
    public String text(String path) {
        byte[] bytes = rendered().get(path);
        if (bytes != null) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return base.file(path).map(ConfigFiles.File::text).orElse("");
    }

    /** The typed view the form shows, for the node's config id. */
    public synchronized KeepalivedConfig model() {
        if (model == null) {
            model = ModelBuilder.build(document.effective(configId));
        }
        return model;
    }

    /** The typed view of the files as read (before any edit): what the node runs, to compare the edit with. */
    public KeepalivedConfig baseModel() {
        return baseline.model();
    }

    /** The block as the node has it (the files as read), to show what an edit changed. */
    public Optional<BlockRef> baseBlock(BlockKind kind, String name) {
        return FormValues.blocks(baseline.model()).stream().filter(b -> b.kind() == kind && b.name().equals(name)).findFirst();
    }

    public LintReport lint() {
        return LINTER.lint(document, LintOptions.forConfigId(configId).withKeepalived(baseline.keepalived));
    }

    /** The draft after a typed edit ({@link org.keepwatch.config.ConfigEditor}); throws ConfigEditException. */
    public ConfigDraft edit(UnaryOperator<ConfigDocument> edit) {
        ConfigDocument edited = edit.apply(document);
        return edited == document ? this : new ConfigDraft(base, edited, configId, baseline);
    }

    /** The draft with one file's text replaced (typed in the text tab), parsed again. */
    public ConfigDraft withText(String path, String text) {
        if (text.equals(text(path))) {
            return this;
        }
        Map<String, byte[]> files = currentBytes();
        files.put(path, text.getBytes(StandardCharsets.UTF_8));
        return new ConfigDraft(base, parse(base.main(), files), configId, baseline);
    }

    /**
     * The draft on top of a file as it is on the node now (after a push, or a conflict the operator
     * resolved): that text and hash become the base of the file, the edited text stays as it is.
     */
    public ConfigDraft rebase(String path, String nodeText, String nodeSha256) {
        List<ConfigFiles.File> files = new ArrayList<>();
        for (ConfigFiles.File file : base.files()) {
            files.add(file.path().equals(path) ? new ConfigFiles.File(path, file.role(), nodeText, nodeSha256) : file);
        }
        ConfigFiles rebased = new ConfigFiles(base.daemon(), base.main(), files, base.unmatchedIncludes());
        return new ConfigDraft(rebased, document, configId, new Baseline(rebased, configId, baseline.keepalived));
    }

    /** Files whose text differs from what was read, in reading order. */
    public List<FileChange> changes() {
        List<FileChange> out = new ArrayList<>();
        for (ConfigFiles.File file : base.files()) {
            String now = text(file.path());
            if (!now.equals(file.text())) {
                out.add(new FileChange(file.path(), file.text(), now, file.sha256()));
            }
        }
        return out;
    }

    public boolean changed() {
        return !changes().isEmpty();
    }

    /** A file whose bytes are not UTF-8 cannot be written back unchanged from here. */
    public Optional<String> unwritable() {
        return changes().stream().map(FileChange::path)
                .filter(p -> base.file(p).map(f -> !f.exact()).orElse(false)).findFirst();
    }

    private Map<String, byte[]> currentBytes() {
        Map<String, byte[]> files = new LinkedHashMap<>(base.bytes());
        files.putAll(rendered());
        return files;
    }

    private synchronized Map<String, byte[]> rendered() {
        if (rendered == null) {
            rendered = document.render();
        }
        return rendered;
    }

    private static ConfigDocument parse(String main, Map<String, byte[]> files) {
        return new ConfigParser(new InMemorySource(files), ParseLimits.DEFAULT).load(main);
    }
}
