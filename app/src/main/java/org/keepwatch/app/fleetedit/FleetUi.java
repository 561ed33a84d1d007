package org.keepwatch.app.fleetedit;

import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.stage.FileChooser;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.keepwatch.app.common.Action;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.dialogs.DialogSupport;
import org.keepwatch.app.dialogs.NodeTroubleshooting;
import org.keepwatch.app.dialogs.NodeTroubleshootingDialog;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.app.nodes.NodeRow;
import org.keepwatch.app.nodes.NodesViewModel;
import org.keepwatch.app.welcome.WelcomeView;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetNode;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.edit.FleetEdits;
import org.keepwatch.fleet.edit.FleetValidator;
import org.keepwatch.inventory.AnsibleInventory;
import org.keepwatch.inventory.InventoryImport;
import org.keepwatch.inventory.SshConfigImport;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshEnvironment;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Where the fleet editor meets the main window: the header's buttons, the welcome view's ways to start, and the
 * Nodes view's Details and Edit node. The composition root builds one and hands its parts to the window.
 */
public final class FleetUi {

    private final Supplier<Window> owner;
    private final FleetEdits edits;
    private final FleetValidator validator;
    private final Tasks tasks;
    private final Supplier<SshEnvironment> environment;
    private final Consumer<String> reconnect;
    private final Path home;
    private Stage managerStage;
    private FleetManagerView manager;

    /**
     * @param environment the SSH environment (~/.ssh/config's home), asked for on the I/O thread
     * @param reconnect   connect a node again now
     * @param home        what ~ means in key and known_hosts file names
     */
    public FleetUi(Supplier<Window> owner, FleetEdits edits, Tasks tasks, Supplier<SshEnvironment> environment,
                   Consumer<String> reconnect, Path home) {
        this.owner = owner;
        this.edits = edits;
        this.tasks = tasks;
        this.environment = environment;
        this.reconnect = reconnect;
        this.home = home;
        this.validator = new FleetValidator(home);
    }

    /**
     * "Add node…", and "Fleet" with what is done less often: Manage fleet…, the two imports. Two buttons, so the
     * header keeps room for the title and the filter.
     */
    public List<Action> headerActions() {
        return List.of(
                Action.of("header-add-node", "Add node…", Material2AL.ADD, this::addNode),
                Action.menu("header-fleet", "Fleet", Material2AL.ARROW_DROP_DOWN, "Manage nodes and groups, import them",
                        List.of(Action.of("header-manage-fleet", "Manage fleet…", Material2MZ.SETTINGS, this::manageFleet),
                                Action.SEPARATOR,
                                Action.of("header-import-ssh", "Import from ~/.ssh/config…", Material2AL.INPUT,
                                        this::importSshConfig),
                                Action.of("header-import-ansible", "Import from an Ansible inventory…", Material2AL.INPUT,
                                        this::importAnsible))));
    }

    /** The welcome view's ways to start a fleet from nothing. */
    public List<WelcomeView.Choice> welcomeChoices() {
        return List.of(
                new WelcomeView.Choice("welcome-add-node", "Add a node",
                        "Type in one keepalived node; the fleet is saved to " + edits.target(), this::addNode),
                new WelcomeView.Choice("welcome-import-ssh", "Import ~/.ssh/config",
                        "Pick hosts from your SSH config; they connect as ssh ALIAS would", this::importSshConfig),
                new WelcomeView.Choice("welcome-import-ansible", "Import an Ansible inventory",
                        "INI or YAML: hosts, groups, ansible_host, ansible_port, ansible_user", this::importAnsible));
    }

    /** Answers the Nodes view's "Details…" and "Edit node…" (a double-click opens Details too). */
    public void install(Navigator navigator, NodesViewModel nodes) {
        navigator.register(Destination.NodeDetails.class,
                go -> Optional.ofNullable(nodes.row(go.node())).ifPresent(this::showDetails));
        navigator.register(Destination.EditFleetNode.class, go -> editNode(go.node()));
    }

    public void addNode() {
        new NodeDialog(owner.get(), edits, tasks, validator, home(), Optional.empty(), "").dialog().showAndWait()
                .ifPresent(this::saved);
    }

    public void editNode(String name) {
        Optional<FleetNode> node = edits.current().node(name);
        if (node.isEmpty()) {
            return;
        }
        new NodeDialog(owner.get(), edits, tasks, validator, home(), node, node.get().group()).dialog().showAndWait()
                .ifPresent(this::saved);
    }

    public void importSshConfig() {
        Callable<ImportDialog.ImportSource> read = () -> new ImportDialog.ImportSource(
                SshConfigImport.candidates(SshConfig.load(environment.get())), List.of());
        new ImportDialog(owner.get(), edits, tasks, "~/.ssh/config", read).dialog().showAndWait().ifPresent(this::saved);
    }

    public void importAnsible() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Import an Ansible inventory");
        chooser.getExtensionFilters().addAll(
                new FileChooser.ExtensionFilter("Inventories (INI, YAML)", "*", "*.ini", "*.yml", "*.yaml", "hosts"),
                new FileChooser.ExtensionFilter("All files", "*"));
        File chosen = chooser.showOpenDialog(owner.get());
        if (chosen != null) {
            importAnsible(chosen.toPath());
        }
    }

    /** Imports from a given inventory file (the chooser's answer; tests call it directly). */
    public void importAnsible(Path inventory) {
        Callable<ImportDialog.ImportSource> read = () -> {
            AnsibleInventory parsed = AnsibleInventory.read(inventory);
            return new ImportDialog.ImportSource(InventoryImport.candidates(parsed), parsed.warnings());
        };
        new ImportDialog(owner.get(), edits, tasks, inventory.toString(), read).dialog().showAndWait().ifPresent(this::saved);
    }

    /** The "Manage fleet" window: one at a time, brought to the front when already open. */
    public void manageFleet() {
        if (managerStage != null && managerStage.isShowing()) {
            managerStage.toFront();
            return;
        }
        manager = new FleetManagerView(edits, tasks, validator, home(), new FleetManagerView.Imports(this::importSshConfig,
                this::importAnsible));
        managerStage = new Stage();
        managerStage.initOwner(owner.get());
        managerStage.initModality(Modality.NONE);
        managerStage.setTitle("Manage fleet");
        Scene scene = new Scene(manager.root(), 980, 640);
        DialogSupport.style(scene);
        managerStage.setScene(scene);
        managerStage.setOnCloseRequest(e -> {
            if (manager.dirty() && !confirmClose()) {
                e.consume();
            }
        });
        managerStage.show();
    }

    public Optional<FleetManagerView> manager() {
        return Optional.ofNullable(manager).filter(m -> managerStage != null && managerStage.isShowing());
    }

    public void showDetails(NodeRow row) {
        Optional<NodeStatus> failure = row.lastFailure();
        Fleet fleet = edits.current();
        Optional<String> user = fleet.node(row.name()).flatMap(n -> fleet.effectiveSettings(n).user());
        NodeTroubleshooting problem = NodeTroubleshooting.explain(row.name(), row.connectionProperty().get(),
                row.lastErrorProperty().get() == null ? "" : row.lastErrorProperty().get(),
                failure.flatMap(NodeStatus::cause), user);
        Optional<Runnable> edit = fleet.node(row.name()).isPresent()
                ? Optional.of(() -> editNode(row.name())) : Optional.empty();
        NodeTroubleshootingDialog.create(owner.get(), problem, () -> reconnect.accept(row.name()), edit, row.facts()).show();
    }

    private boolean confirmClose() {
        Alert ask = new Alert(Alert.AlertType.CONFIRMATION,
                "The form has changes that are not saved. Close anyway?",
                new ButtonType("Close without saving", ButtonBar.ButtonData.OK_DONE),
                ButtonType.CANCEL);
        DialogSupport.prepare(ask, managerStage, "confirm-close");
        ask.setHeaderText(null);
        return ask.showAndWait().map(b -> b.getButtonData() == ButtonBar.ButtonData.OK_DONE)
                .orElse(false);
    }

    private void saved(Fleet fleet) {
        manager().ifPresent(m -> m.refresh(Optional.empty()));
    }

    private Path home() {
        return home;
    }
}
