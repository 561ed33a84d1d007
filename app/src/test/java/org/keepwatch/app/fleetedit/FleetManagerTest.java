package org.keepwatch.app.fleetedit;

import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.dialogs.DialogSupport;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetFile;
import org.keepwatch.fleet.FleetNode;
import org.keepwatch.fleet.edit.FleetValidator;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The "Manage fleet" window: the tree of groups and nodes, each form saved at once, removal asked first. */
@ExtendWith(ApplicationExtension.class)
class FleetManagerTest {

    @TempDir
    static Path dir;
    private Path file;
    private FleetService service;
    private FleetManagerView view;
    private final List<String> imports = new ArrayList<>();

    @Start
    void start(Stage stage) throws IOException {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        file = FleetFixtures.labFleet(java.nio.file.Files.createTempDirectory(dir, "fleet"));
        service = FleetFixtures.opened(file);
        view = new FleetManagerView(FleetFixtures.edits(service, dir.resolve("unused.json")), Tasks.onFxThread(Runnable::run), new FleetValidator(dir), dir,
                new FleetManagerView.Imports(() -> imports.add("ssh"), () -> imports.add("ansible")));
        javafx.scene.Scene scene = new javafx.scene.Scene(view.root(), 980, 640);
        DialogSupport.style(scene);
        stage.setScene(scene);
        stage.show();
    }

    @BeforeEach
    void nothing() {
        imports.clear();
    }

    @Test
    void showsGroupsWithTheirNodes(FxRobot robot) {
        TreeView<FleetTree.Entry> tree = robot.lookup("#fleet-tree").query();
        List<String> labels = new ArrayList<>();
        tree.getRoot().getChildren().forEach(g -> {
            labels.add(g.getValue().label());
            g.getChildren().forEach(n -> labels.add("  " + n.getValue().label()));
        });
        assertThat(labels).containsExactly("lab  (2 nodes)", "  n1  root@10.77.0.11", "  n2  root@10.77.0.12",
                "lab-neutron  (1 node)", "  net1  stack@10.77.1.11");
        assertThat(robot.lookup("#manager-placeholder").queryAs(Label.class).getText())
                .isEqualTo("Select a node or a group to edit it.");
        assertThat(robot.lookup("#manager-file").queryAs(Label.class).getText()).isEqualTo("Fleet file: " + file);
    }

    @Test
    void editsANodeAndSavesAtOnce(FxRobot robot) throws IOException {
        select(robot, "n2");
        assertThat(robot.lookup("#manager-form-title").queryAs(Label.class).getText()).isEqualTo("Node n2");
        robot.interact(() -> robot.lookup("#field-port").queryAs(TextField.class).setText("2202"));
        assertThat(robot.lookup("#manager-revert").queryButton().isDisabled()).isFalse();
        robot.clickOn("#manager-save");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(FleetFile.read(file).node("n2").orElseThrow().settings().port()).contains(2202);
        assertThat(robot.lookup("#manager-status").queryAs(Label.class).getText()).isEqualTo("Saved n2.");
        assertThat(robot.lookup("#manager-revert").queryButton().isDisabled()).isTrue();
    }

    @Test
    void addsAGroupWithDefaultsAndANodeInIt(FxRobot robot) throws IOException {
        robot.clickOn("#manager-add-group");
        robot.interact(() -> {
            robot.lookup("#group-editor #field-name").queryAs(TextField.class).setText("edge");
            robot.lookup("#group-editor #field-user").queryAs(TextField.class).setText("netops");
            robot.lookup("#group-editor #field-port").queryAs(TextField.class).setText("x");
        });
        Button save = robot.lookup("#manager-save").queryButton();
        assertThat(save.isDisabled()).isTrue();
        assertThat(robot.lookup("#group-editor #problem-port").queryAs(Label.class).getText())
                .isEqualTo("Port \"x\" is not a number between 1 and 65535");
        robot.interact(() -> robot.lookup("#group-editor #field-port").queryAs(TextField.class).setText("2022"));
        robot.clickOn("#manager-save");
        WaitForAsyncUtils.waitForFxEvents();
        Fleet saved = FleetFile.read(file);
        assertThat(saved.group("edge").orElseThrow().defaults().user()).contains("netops");

        // With the new group selected, a new node goes into it and inherits its defaults.
        robot.clickOn("#manager-add-node");
        robot.interact(() -> {
            robot.lookup("#node-editor #field-name").queryAs(TextField.class).setText("edge1");
            robot.lookup("#node-editor #field-host").queryAs(TextField.class).setText("198.51.100.1");
        });
        assertThat(robot.lookup("#node-editor #field-user").queryAs(TextField.class).getPromptText()).isEqualTo("netops (group)");
        robot.clickOn("#manager-save");
        WaitForAsyncUtils.waitForFxEvents();
        saved = FleetFile.read(file);
        FleetNode edge1 = saved.node("edge1").orElseThrow();
        assertThat(edge1.group()).isEqualTo("edge");
        assertThat(saved.effectiveSettings(edge1).port()).contains(2022);
    }

    @Test
    void renamingAGroupMovesItsNodes(FxRobot robot) throws IOException {
        select(robot, "lab-neutron");
        robot.interact(() -> robot.lookup("#group-editor #field-name").queryAs(TextField.class).setText("neutron"));
        robot.clickOn("#manager-save");
        WaitForAsyncUtils.waitForFxEvents();
        Fleet saved = FleetFile.read(file);
        assertThat(saved.group("lab-neutron")).isEmpty();
        assertThat(saved.node("net1").orElseThrow().group()).isEqualTo("neutron");
    }

    @Test
    void removingANodeAsksFirstAndCancelKeepsIt(FxRobot robot) throws IOException {
        select(robot, "n1");
        robot.clickOn("#manager-remove");
        assertThat(robot.lookup("#confirm-remove .content").queryAs(Label.class).getText())
                .isEqualTo("Remove node n1 from the fleet? Keepwatch stops watching it; nothing on the node changes.");
        robot.clickOn("Cancel");
        assertThat(FleetFile.read(file).node("n1")).isPresent();
        robot.clickOn("#manager-remove");
        robot.clickOn("Remove");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(FleetFile.read(file).node("n1")).isEmpty();
    }

    @Test
    void removingAGroupKeepsItsNodes(FxRobot robot) throws IOException {
        select(robot, "lab");
        robot.clickOn("#manager-remove");
        assertThat(robot.lookup("#confirm-remove .content").queryAs(Label.class).getText()).isEqualTo(
                "Remove group lab? Its 2 nodes stay in the fleet, without a group (and without the group's defaults).");
        robot.clickOn("Remove");
        WaitForAsyncUtils.waitForFxEvents();
        Fleet saved = FleetFile.read(file);
        assertThat(saved.group("lab")).isEmpty();
        assertThat(saved.node("n1").orElseThrow().group()).isEmpty();
        TreeView<FleetTree.Entry> tree = robot.lookup("#fleet-tree").query();
        assertThat(tree.getRoot().getChildren()).extracting(i -> i.getValue().label())
                .containsExactly("lab-neutron  (1 node)", "No group  (2 nodes)");
    }

    @Test
    void unsavedChangesAreNotDroppedSilently(FxRobot robot) {
        select(robot, "n2");
        robot.interact(() -> robot.lookup("#field-user").queryAs(TextField.class).setText("changed"));
        robot.clickOn("#manager-add-group");
        assertThat(robot.lookup("#confirm-discard").tryQuery()).isPresent();
        robot.clickOn("Cancel");
        assertThat(robot.lookup("#field-user").queryAs(TextField.class).getText()).isEqualTo("changed");
    }

    @Test
    void theImportButtonsAreThere(FxRobot robot) {
        robot.clickOn("#manager-import-ssh");
        robot.clickOn("#manager-import-ansible");
        assertThat(imports).containsExactly("ssh", "ansible");
    }

    private void select(FxRobot robot, String name) {
        robot.interact(() -> {
            TreeView<FleetTree.Entry> tree = robot.lookup("#fleet-tree").query();
            find(tree.getRoot(), name).ifPresent(i -> tree.getSelectionModel().select(i));
        });
    }

    private static Optional<TreeItem<FleetTree.Entry>> find(TreeItem<FleetTree.Entry> item, String name) {
        if (item.getValue() != null && item.getValue().label().startsWith(name + "  ")) {
            return Optional.of(item);
        }
        for (TreeItem<FleetTree.Entry> child : item.getChildren()) {
            Optional<TreeItem<FleetTree.Entry>> found = find(child, name);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }
}
