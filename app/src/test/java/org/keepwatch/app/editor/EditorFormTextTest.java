package org.keepwatch.app.editor;

import javafx.application.Application;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.agent.LocalKeepalived;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.drafts.BlockKind;
import org.keepwatch.drafts.BlockRef;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.drafts.FormEdits;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushService;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The editor's form and text over the real config engine, without a node: a form edit shows up in the
 * text, typed text shows up in the form, lint marks what is wrong as you type, lists and blocks edit
 * through the engine and leave every other line as it was.
 */
@ExtendWith(ApplicationExtension.class)
class EditorFormTextTest {

    static final String PATH = "/etc/keepalived/keepalived.conf";
    static final String TEXT = LocalKeepalived.sampleConfig().replace("%N", "7");
    private ConfigEditorViewModel model;
    private ConfigEditorView view;
    private final List<String> asked = new ArrayList<>();

    @Start
    void start(Stage stage) {
        Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        EditTarget target = new EditTarget("n1", "keepalived", Optional.of("VI_1"));
        NodeAgents agents = NodeAgents.of(node -> Optional.empty(), (node, l) -> () -> { });
        NodeConfigService service = new NodeConfigService(agents, Runnable::run);
        model = new ConfigEditorViewModel(target, service, new PushService(agents, () -> null, Runnable::run),
                Tasks.onFxThread(Runnable::run));
        view = new ConfigEditorView(model, Tasks.onFxThread(Runnable::run), push -> { },
                new EditorWindows.Questions(question -> {
                    asked.add(question);
                    return false;
                }, suggestion -> Optional.of("VI_9")));
        stage.setScene(EditorWindows.scene(view.root()));
        stage.show();
        model.open(draft(TEXT));
    }

    static ConfigDraft draft(String text) {
        return ConfigDraft.of(new ConfigFiles("keepalived", PATH, List.of(new ConfigFiles.File(PATH, "main", text, "a".repeat(64))),
                List.of()), "n1");
    }

    @Test
    void aPriorityTypedInTheFormIsWrittenIntoTheTextAndNothingElseChanges(FxRobot robot) {
        assertThat(robot.lookup("#form-title").queryAs(Label.class).getText()).isEqualTo("vrrp_instance VI_1");
        TextField priority = robot.lookup("#field-priority").queryAs(TextField.class);
        assertThat(priority.getText()).isEqualTo("100");
        robot.clickOn(priority).eraseText(3).write("130").type(KeyCode.ENTER);

        assertThat(model.draft().text(PATH)).isEqualTo(TEXT.replace("priority 100", "priority 130"));
        assertThat(view.text().area().getText()).isEqualTo(TEXT.replace("priority 100", "priority 130"));
        assertThat(robot.lookup("#editor-changed").queryAs(Label.class).isVisible()).isTrue();
        assertThat(robot.lookup("#editor-changed").queryAs(Label.class).getText()).isEqualTo("edited keepalived.conf");
        // The form says which field differs from the node's file, and what it was there.
        Label label = (Label) priority.getParent().getParent().getChildrenUnmodifiable().stream()
                .filter(n -> n instanceof Label l && l.getLabelFor() == priority).findFirst().orElseThrow();
        assertThat(label.getText()).isEqualTo("● Priority");
        assertThat(label.getTooltip().getText()).isEqualTo("on the node: 100");
    }

    @Test
    void textTypedInTheTextTabShowsUpInTheFormAfterAPause(FxRobot robot) {
        robot.clickOn("#tab-text");
        robot.interact(() -> {
            String text = view.text().area().getText();
            int at = text.indexOf("advert_int 1") + "advert_int ".length();
            view.text().area().replaceText(at, at + 1, "3");
        });
        WaitForAsyncUtils.sleep((long) ConfigEditorViewModel.TYPING_PAUSE.toMillis() + 200, TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#tab-form");
        assertThat(robot.lookup("#field-advert_int").queryAs(TextField.class).getText()).isEqualTo("3");
        assertThat(model.draft().model().instance("VI_1").orElseThrow().advertInt().getAsDouble()).isEqualTo(3.0);
    }

    @Test
    void aMistypedKeywordIsMarkedAsYouTypeWithItsLine(FxRobot robot) throws Exception {
        robot.clickOn("#tab-text");
        robot.interact(() -> {
            String text = view.text().area().getText();
            int at = text.indexOf("    advert_int 1");
            view.text().area().insertText(at, "    priorty 5\n");
        });
        WaitForAsyncUtils.sleep((long) ConfigEditorViewModel.TYPING_PAUSE.toMillis() + 200, TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        int line = lineOf(model.draft().text(PATH), "priorty 5");
        assertThat(model.problems()).anySatisfy(p -> {
            assertThat(p.error()).isTrue();
            assertThat(p.line()).isEqualTo(line);
            assertThat(p.message()).contains("priorty").contains("priority");
        });
        // The file opens at its top; the gutter is drawn on a later pulse.
        waitShort(() -> robot.lookup("#gutter-marker-" + line).tryQuery().isPresent());
        // The form says it too, on the instance the line is in.
        robot.clickOn("#tab-form");
        assertThat(robot.lookup("#form-problems .label").queryAllAs(Label.class)).extracting(Label::getText)
                .anySatisfy(t -> assertThat(t).contains("keepalived.conf:" + line).contains("priorty"));
        // Double-clicking the problem leads to its line.
        robot.doubleClickOn(robot.lookup("#problems .list-cell").nth(0).queryAs(Node.class));
        assertThat(view.text().area().getCurrentParagraph()).isEqualTo(line - 1);
    }

    @Test
    void vipsAreEditedAsAListAndAuthenticationNoneRemovesItsBlock(FxRobot robot) {
        // Below the fold of the form: focused from the keyboard, as an operator tabbing through it would.
        robot.interact(() -> robot.lookup("#field-virtual_ipaddress-input").queryAs(TextField.class).requestFocus());
        robot.write("10.98.7.101/24 dev eth0").type(KeyCode.ENTER);
        assertThat(model.draft().text(PATH)).contains("        10.98.7.100/24\n        10.98.7.101/24 dev eth0\n");
        assertThat(robot.lookup("#field-virtual_ipaddress-list").queryListView().getItems())
                .containsExactly("10.98.7.100/24", "10.98.7.101/24 dev eth0");

        robot.interact(() -> robot.lookup("#field-authentication-auth_type").queryAs(ComboBox.class).setValue(""));
        assertThat(model.draft().model().instance("VI_1").orElseThrow().authentication()).isEmpty();
        assertThat(model.draft().model().instance("VI_2").orElseThrow().authentication()).isPresent();
        assertThat(model.draft().text(PATH)).isEqualTo(TEXT.replace("10.98.7.100/24\n", "10.98.7.100/24\n        10.98.7.101/24 dev eth0\n")
                .replaceFirst("    authentication \\{\n        auth_type PASS\n        auth_pass kwtpass1\n    }\n", ""));
        robot.interact(() -> robot.lookup("#field-nopreempt").queryAs(CheckBox.class).setSelected(true));
        assertThat(model.draft().text(PATH)).contains("    nopreempt\n");
    }

    @Test
    void renamingAnInstanceRenamesItInItsSyncGroupAndAScriptCanBeSelected(FxRobot robot) {
        robot.clickOn("#block-rename");
        String text = model.draft().text(PATH);
        assertThat(text).contains("vrrp_instance VI_9 {").contains("        VI_9\n").doesNotContain("VI_1");
        assertThat(model.problems()).noneMatch(ProblemRow::error);
        BlockRef script = model.blocks().stream().filter(b -> b.kind() == BlockKind.SCRIPT).findFirst().orElseThrow();
        robot.interact(() -> model.select(script));
        assertThat(robot.lookup("#form-title").queryAs(Label.class).getText()).isEqualTo("vrrp_script chk_true");
        assertThat(robot.lookup("#field-script").queryAs(TextField.class).getText()).isEqualTo("/bin/true");
        robot.clickOn("#field-interval").eraseText(1).write("5").type(KeyCode.TAB);
        assertThat(model.draft().text(PATH)).contains("    interval 5\n");
    }

    @Test
    void reloadingWithEditsAsksFirstAndKeepsThemWhenTheAnswerIsNo(FxRobot robot) {
        robot.interact(() -> model.edit(FormEdits.set(model.blocks().get(0),
                BlockKind.INSTANCE.field("priority").orElseThrow(), "140")));
        robot.clickOn("#editor-reload");
        assertThat(asked).singleElement().satisfies(q -> assertThat(q).contains("n1").contains("edited keepalived.conf"));
        assertThat(model.draft().text(PATH)).contains("priority 140");
    }

    @Test
    void anEditTheEngineRefusesSaysWhyAndChangesNothing(FxRobot robot) {
        robot.clickOn("#tab-text");
        robot.interact(() -> {
            String text = view.text().area().getText();
            view.text().area().replaceText(text.replace("    priority 100", "@n1 priority 100\n@^n1 priority 90"));
        });
        robot.clickOn("#tab-form");
        String before = model.draft().text(PATH);
        TextField priority = robot.lookup("#field-priority").queryAs(TextField.class);
        robot.clickOn(priority).eraseText(3).write("120").type(KeyCode.ENTER);
        assertThat(model.draft().text(PATH)).isEqualTo(before);
        assertThat(robot.lookup("#editor-problem").queryAs(Label.class).getText()).startsWith("n1: ").contains("@n1").contains("by hand");
    }

    static void waitShort(Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, condition);
    }

    static int lineOf(String text, String needle) {
        return (int) text.substring(0, text.indexOf(needle)).chars().filter(c -> c == '\n').count() + 1;
    }
}
