package org.keepwatch.drafts;

import org.junit.jupiter.api.Test;
import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.config.ConfigEditException;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FormEditsTest {

    private static final String PATH = "/etc/keepalived/keepalived.conf";
    private static final String TEXT = """
            vrrp_script chk {
              script "/usr/bin/pgrep haproxy"
            }
            vrrp_instance VI_1 {
              priority 100   # was 90
              track_script {
                chk weight 5
              }
            }
            vrrp_sync_group G {
              group {
                VI_1
              }
            }
            """;

    private static ConfigDraft draft() {
        return ConfigDraft.of(new ConfigFiles("keepalived", PATH, List.of(new ConfigFiles.File(PATH, "main", TEXT, "0".repeat(64))),
                List.of()), "n1");
    }

    private static BlockRef block(ConfigDraft draft, BlockKind kind, String name) {
        return FormValues.blocks(draft.model()).stream().filter(b -> b.kind() == kind && b.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void formValuesReadWhatIsWrittenAndEditsKeepComments() {
        ConfigDraft draft = draft();
        BlockRef script = block(draft, BlockKind.SCRIPT, "chk");
        assertThat(FormValues.value(script.node(), BlockKind.SCRIPT.field("script").orElseThrow())).isEqualTo("/usr/bin/pgrep haproxy");
        BlockRef vi1 = block(draft, BlockKind.INSTANCE, "VI_1");
        ConfigDraft edited = draft.edit(FormEdits.set(vi1, BlockKind.INSTANCE.field("priority").orElseThrow(), "120"));
        assertThat(edited.text(PATH)).isEqualTo(TEXT.replace("priority 100", "priority 120"));
        assertThat(edited.changes()).singleElement().satisfies(c -> assertThat(c.baseSha256()).isEqualTo("0".repeat(64)));
        ConfigDraft cleared = edited.edit(FormEdits.set(block(edited, BlockKind.INSTANCE, "VI_1"),
                BlockKind.INSTANCE.field("priority").orElseThrow(), ""));
        assertThat(cleared.text(PATH)).doesNotContain("priority");
    }

    @Test
    void renamingAScriptRenamesItWhereInstancesTrackIt() {
        ConfigDraft draft = draft();
        ConfigDraft renamed = draft.edit(FormEdits.rename(block(draft, BlockKind.SCRIPT, "chk"), "chk_haproxy"));
        assertThat(renamed.text(PATH)).contains("vrrp_script chk_haproxy {").contains("    chk_haproxy weight 5\n");
        assertThat(draft.edit(FormEdits.delete(block(draft, BlockKind.SCRIPT, "chk"))).lint().diagnostics())
                .anySatisfy(d -> assertThat(d.message()).contains("chk"));   // the lint does see a dangling track_script
        assertThat(renamed.lint().diagnostics()).noneSatisfy(d -> assertThat(d.message()).contains("track"));
        assertThatThrownBy(() -> draft.edit(FormEdits.rename(block(draft, BlockKind.SCRIPT, "chk"), "two words")))
                .isInstanceOf(ConfigEditException.class).hasMessageContaining("no blanks");
        assertThat(FormEdits.freeName(FormValues.blocks(draft.model()), block(draft, BlockKind.INSTANCE, "VI_1"))).isEqualTo("VI_2");
    }

    @Test
    void aTypedTextIsParsedAgainAndARebaseKeepsTheEdit() {
        ConfigDraft draft = draft().withText(PATH, TEXT.replace("priority 100", "priority 7"));
        assertThat(draft.model().instance("VI_1").orElseThrow().priority().getAsInt()).isEqualTo(7);
        ConfigDraft rebased = draft.rebase(PATH, TEXT.replace("priority 100", "priority 7"), "f".repeat(64));
        assertThat(rebased.changed()).isFalse();
        assertThat(rebased.base().files().get(0).sha256()).isEqualTo("f".repeat(64));
    }

    @Test
    void aFileThatIsNotUtf8CannotBePushedFromHere() {
        String text = TEXT + "# caf\uDCE9\n";
        ConfigDraft draft = ConfigDraft.of(new ConfigFiles("keepalived", PATH, List.of(new ConfigFiles.File(PATH, "main", text, "0".repeat(64))),
                List.of()), "n1");
        ConfigDraft edited = draft.edit(FormEdits.set(block(draft, BlockKind.INSTANCE, "VI_1"),
                BlockKind.INSTANCE.field("priority").orElseThrow(), "120"));
        assertThat(edited.unwritable()).contains(PATH);
    }
}
