package org.keepwatch.app.fleetedit;

import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.app.common.ActionControls;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetFile;
import org.keepwatch.fleet.FleetNode;
import org.keepwatch.inventory.InventoryFixtures;
import org.keepwatch.ssh.SshEnvironment;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Importing from a real ~/.ssh/config in a temporary home and from real inventory files, through the header. */
@ExtendWith(ApplicationExtension.class)
class ImportDialogTest {

    @TempDir
    static Path dir;
    private Path home;
    private Path file;
    private FleetService service;
    private FleetUi ui;

    @Start
    void start(Stage stage) throws IOException {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        Path root = Files.createTempDirectory(dir, "case");
        home = Files.createDirectories(root.resolve("home"));
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/config"), String.join("\n",
                "Host lb1 lb2",
                "  HostName %h.example.net",
                "  User netops",
                "Host *.corp !secret.corp",
                "  User corp",
                "Host bastion",
                "  HostName 203.0.113.5",
                "  Port 2222",
                "Host n1",
                "  HostName 10.77.0.11",
                ""));
        file = FleetFixtures.labFleet(root);
        service = FleetFixtures.opened(file);
        SshEnvironment environment = new SshEnvironment(home, "operator", "workstation", Optional.empty(), Map.of());
        ui = new FleetUi(() -> stage, FleetFixtures.edits(service, root.resolve("unused.json")), Tasks.onFxThread(Runnable::run),
                () -> environment, node -> { }, home);
        stage.setScene(new javafx.scene.Scene(new HBox(8, ui.headerActions().stream().map(ActionControls::button).toArray(Button[]::new)), 600, 200));
        stage.show();
    }

    @Test
    void importsChosenAliasesFromSshConfigIntoAGroup(FxRobot robot) throws Exception {
        robot.clickOn("#header-fleet");
        robot.clickOn("Import from ~/.ssh/config…");
        TableView<ImportModel.Row> table = robot.lookup("#import-table").queryTableView();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> table.getItems().size() == 4);
        assertThat(table.getItems()).extracting(r -> r.candidate().name()).containsExactly("lb1", "lb2", "bastion", "n1");
        // What the table says each alias connects to is what ssh -G says (the system file cannot matter here:
        // these options are set in the user's file, which ssh reads first).
        for (ImportModel.Row row : table.getItems()) {
            assertThat(row.candidate().connectsTo()).as(row.candidate().name())
                    .isEqualTo(sshG(home.resolve(".ssh/config"), row.candidate().name(), "operator"));
        }
        assertThat(table.getItems()).extracting(r -> r.selectedProperty().get()).containsExactly(true, true, true, false);
        assertThat(robot.lookup("#import-message").queryAs(Label.class).getText())
                .isEqualTo("4 found; 1 already in the fleet (unticked: ticking one replaces its connection settings).");

        robot.interact(() -> {
            table.getItems().get(2).selectedProperty().set(false);
            robot.lookup("#import-group").queryComboBox().getEditor().setText("edge");
        });
        Button importButton = robot.lookup("#import-button").queryButton();
        assertThat(importButton.getText()).isEqualTo("Import 2 nodes");
        robot.clickOn(importButton);
        WaitForAsyncUtils.waitForFxEvents();

        Fleet saved = FleetFile.read(file);
        assertThat(saved.nodes()).extracting(FleetNode::name).containsExactly("n1", "n2", "net1", "lb1", "lb2");
        FleetNode lb1 = saved.node("lb1").orElseThrow();
        assertThat(lb1.group()).isEqualTo("edge");
        assertThat(lb1.settings().host()).as("the alias alone: ~/.ssh/config says how to reach it").isEmpty();
        assertThat(saved.group("edge")).isPresent();
        assertThat(saved.node("n1").orElseThrow().settings().host()).contains("10.77.0.11");
    }

    /** What the resolver noted or refused for an alias is in its Notes (with a tooltip), and refused ones are unticked. */
    @Test
    void theResolversNotesAndRefusalsShowInTheImportTable(FxRobot robot) throws Exception {
        Files.writeString(home.resolve(".ssh/config"), String.join("\n",
                "Host aliased",
                "  HostName 10.77.0.21",
                "  HostKeyAlias router-a",
                "Host probed",
                "  HostName 10.77.0.22",
                "Match host 10.77.0.22 exec \"ping -c1 -W1 10.77.0.22\"",
                "  StrictHostKeyChecking no",
                "Host misspelt",
                "  HostName 10.77.0.23",
                "  StrictHostKeyCheking yes",
                ""));
        robot.clickOn("#header-fleet");
        robot.clickOn("Import from ~/.ssh/config…");
        TableView<ImportModel.Row> table = robot.lookup("#import-table").queryTableView();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> table.getItems().size() == 3);
        // The misspelt keyword is read on every line, whichever host: every alias is refused, as ssh refuses them.
        assertThat(table.getItems()).allSatisfy(row -> {
            assertThat(row.candidate().refused()).isTrue();
            assertThat(row.selectedProperty().get()).isFalse();
            assertThat(String.join("; ", row.candidate().notes())).contains("line 10")
                    .contains("Bad configuration option: stricthostkeycheking");
        });
        assertThat(robot.lookup("#import-message").queryAs(Label.class).getText()).contains("3 refused");
        robot.clickOn("Cancel");

        Files.writeString(home.resolve(".ssh/config"), Files.readString(home.resolve(".ssh/config"))
                .replace("StrictHostKeyCheking", "StrictHostKeyChecking"));
        robot.clickOn("#header-fleet");
        robot.clickOn("Import from ~/.ssh/config…");
        TableView<ImportModel.Row> again = robot.lookup("#import-table").queryTableView();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> again.getItems().size() == 3);
        ImportModel.Row aliased = again.getItems().get(0);
        ImportModel.Row probed = again.getItems().get(1);
        assertThat(aliased.candidate().notes()).anySatisfy(n -> assertThat(n).contains("hostkeyalias")
                .contains("not applied by Keepwatch"));
        assertThat(aliased.selectedProperty().get()).isTrue();
        assertThat(probed.candidate().refused()).isTrue();
        assertThat(probed.selectedProperty().get()).isFalse();
        assertThat(String.join("; ", probed.candidate().notes())).contains("line 6")
                .contains("Match exec is not evaluated by Keepwatch").contains("strictHostKeyChecking");
        // The Notes cell shows the same words, and its tooltip the whole of them.
        javafx.scene.control.TableCell<?, ?> cell = robot.lookup(".table-cell").queryAllAs(javafx.scene.control.TableCell.class)
                .stream().filter(c -> c.getText() != null && c.getText().contains("hostkeyalias")).findFirst().orElseThrow();
        assertThat(cell.getTooltip().getText()).contains("not applied by Keepwatch");
        robot.clickOn("Cancel");
    }

    @Test
    void importsAnAnsibleYamlInventoryIntoItsOwnGroups(FxRobot robot) throws Exception {
        robot.interact(() -> Platform.runLater(() -> ui.importAnsible(InventoryFixtures.file("inventory.yml"))));
        TableView<ImportModel.Row> table = robot.lookup("#import-table").queryTableView();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> table.getItems().size() == 8);
        assertThat(robot.lookup("#import-status").queryAs(Label.class).getText())
                .isEqualTo("Skipped: skipped \"weird_key\" in group core (only hosts, vars and children count)");
        robot.clickOn("#import-source-groups");
        robot.clickOn("#import-button");
        WaitForAsyncUtils.waitForFxEvents();
        Fleet saved = FleetFile.read(file);
        assertThat(saved.node("edgea.example.net").orElseThrow().group()).isEqualTo("edge");
        assertThat(saved.node("core1").orElseThrow().group()).isEqualTo("core");
        assertThat(saved.node("core1").orElseThrow().settings().host()).contains("10.0.0.1");
        assertThat(saved.node("loner").orElseThrow().group()).isEmpty();
        assertThat(saved.groups()).extracting(g -> g.name()).contains("edge", "core");
        assertThat(Files.readString(file)).doesNotContain("VAULT").doesNotContain("password");
    }

    @Test
    void anUnreadableInventorySaysWhyAndImportsNothing(FxRobot robot) throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.ini"), "[web\nweb1\n");
        robot.interact(() -> Platform.runLater(() -> ui.importAnsible(broken)));
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#import-message").tryQuery().isPresent()
                && robot.lookup("#import-message").queryAs(Label.class).getText().startsWith("Cannot read"));
        assertThat(robot.lookup("#import-message").queryAs(Label.class).getText())
                .isEqualTo("Cannot read " + broken + ": " + broken + " line 1: section header [web does not end with ]");
        assertThat(robot.lookup("#import-button").queryButton().isDisabled()).isTrue();
        robot.clickOn("Cancel");
    }

    /** user@hostname[:port] as ssh -F FILE -G ALIAS resolves it. */
    private static String sshG(Path config, String alias, String localUser) throws Exception {
        Process process = new ProcessBuilder("ssh", "-F", config.toString(), "-G", alias).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        String user = value(out, "user");
        String port = value(out, "port");
        // ssh -G prints the local login as the user when the config names none; ours uses the environment's.
        if (user.equals(System.getProperty("user.name")) && !List.of("netops", "corp").contains(user)) {
            user = localUser;
        }
        return user + "@" + value(out, "hostname") + (port.equals("22") ? "" : ":" + port);
    }

    private static String value(String sshG, String key) {
        return sshG.lines().filter(l -> l.startsWith(key + " ")).findFirst().orElseThrow().substring(key.length() + 1);
    }
}
