package org.keepwatch.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import javafx.application.Platform;
import org.junit.jupiter.api.Test;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.dialogs.FxPrompts;
import org.keepwatch.app.dialogs.SecretDialog;
import org.keepwatch.app.fleetedit.FleetManagerView;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules of docs/architecture.md ("Dependency rules"), checked on the compiled main classes of both modules: the
 * app's tests see the library's classes too. Each rule fails with the offending classes and lines named.
 */
class ArchitectureTest {

    private static final String[] USER_INTERFACE = {"javafx..", "org.controlsfx..", "atlantafx..", "org.fxmisc..",
            "org.kordamp.."};
    private static final String[] SSH_IMPLEMENTATION = {"net.schmizz..", "com.hierynomus..", "org.apache.sshd.."};

    /** The library's packages from the bottom up: each may use only those before it (architecture.md's table). */
    private static final Map<String, String> LIBRARY_LAYERS = orderedMap(
            "config", "org.keepwatch.config..",
            "process", "org.keepwatch.process..",
            "settings", "org.keepwatch.settings..",
            "ssh", "org.keepwatch.ssh..",
            "secrets", "org.keepwatch.secrets..",
            "agent", "org.keepwatch.agent..",
            "fleet", "org.keepwatch.fleet",
            "fleet.edit", "org.keepwatch.fleet.edit..",
            "inventory", "org.keepwatch.inventory..",
            "drafts", "org.keepwatch.drafts..",
            "push", "org.keepwatch.push..",
            "maintenance", "org.keepwatch.maintenance..",
            "daemons", "org.keepwatch.daemons..",
            "diagnosis", "org.keepwatch.diagnosis..",
            "history", "org.keepwatch.history..",
            "compose", "org.keepwatch.compose..");

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.keepwatch");

    @Test
    void theRulesSeeBothModules() {
        // A rule over nothing passes: make sure the library's classes and the front ends' are both here.
        assertThat(MAIN.contain("org.keepwatch.config.ConfigParser")).isTrue();
        assertThat(MAIN.contain("org.keepwatch.fleet.FleetState")).isTrue();
        assertThat(MAIN.contain("org.keepwatch.app.KeepwatchApp")).isTrue();
        assertThat(MAIN.contain("org.keepwatch.cli.Main")).isTrue();
    }

    @Test
    void theLibraryKnowsNothingOfTheUserInterfacesNorOfTheFrontEnds() {
        noClasses().that().resideOutsideOfPackages("org.keepwatch.app..", "org.keepwatch.cli..")
                .should().dependOnClassesThat().resideInAnyPackage(USER_INTERFACE)
                .orShould().dependOnClassesThat().resideInAnyPackage("org.keepwatch.app..", "org.keepwatch.cli..")
                .because("agent-client is the library: no JavaFX, no front end (ADR 0005)")
                .check(MAIN);
    }

    @Test
    void theCommandLineToolUsesNoJavaFxAndTheWindowNoCommandLine() {
        noClasses().that().resideInAPackage("org.keepwatch.cli..")
                .should().dependOnClassesThat().resideInAnyPackage(USER_INTERFACE)
                .orShould().dependOnClassesThat().resideInAPackage("org.keepwatch.app..")
                .because("the CLI runs where there is no display; its class path has no JavaFX")
                .check(MAIN);
        noClasses().that().resideInAPackage("org.keepwatch.app..")
                .should().dependOnClassesThat().resideInAPackage("org.keepwatch.cli..")
                .because("the two front ends meet only in the library")
                .check(MAIN);
    }

    @Test
    void theLibrarysPackagesDependOnlyDownward() {
        LayeredArchitecture layers = layeredArchitecture().consideringOnlyDependenciesInLayers();
        List<String> names = List.copyOf(LIBRARY_LAYERS.keySet());
        for (String name : names) {
            layers = layers.layer(name).definedBy(LIBRARY_LAYERS.get(name));
        }
        layers = layers.layer("front ends").definedBy("org.keepwatch.app..", "org.keepwatch.cli..");
        layers = layers.whereLayer(names.get(0)).mayNotAccessAnyLayer();
        for (int i = 1; i < names.size(); i++) {
            layers = layers.whereLayer(names.get(i)).mayOnlyAccessLayers(names.subList(0, i).toArray(String[]::new));
        }
        layers.check(MAIN);
    }

    @Test
    void noPackagesDependOnEachOtherInACycle() {
        slices().matching("org.keepwatch.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void onlyTheCompositionRootsAndTheSshDialogsTouchSsh() {
        noClasses().that().resideInAnyPackage("org.keepwatch.app..", "org.keepwatch.cli..")
                .should().dependOnClassesThat().resideInAnyPackage(SSH_IMPLEMENTATION)
                .because("SSH is the library's (org.keepwatch.ssh)")
                .check(MAIN);
        noClasses().that().resideInAPackage("org.keepwatch.app..")
                .and().resideOutsideOfPackages("org.keepwatch.app", "org.keepwatch.app.dialogs..",
                        "org.keepwatch.app.fleetedit..")
                .should().dependOnClassesThat().resideInAPackage("org.keepwatch.ssh..")
                .because("views and view models show the fleet; connecting is the composition's (KeepwatchApp), "
                        + "asking is the SSH dialogs', and the fleet editor imports ~/.ssh/config")
                .check(MAIN);
    }

    @Test
    void viewModelsHoldStateAndDrawNothing() {
        noClasses().that().haveSimpleNameEndingWith("ViewModel")
                .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..", "javafx.stage..")
                .because("a view model is tested without a scene; its view draws it")
                .check(MAIN);
    }

    @Test
    void thereIsNoStaticMutableState() {
        fields().that().areStatic().and().areDeclaredInClassesThat().resideInAPackage("org.keepwatch..")
                .should().beFinal()
                .because("two windows, two fleets or two tests in one JVM must not share state")
                .check(MAIN);
    }

    @Test
    void workComesBackToTheFxThreadThroughTasks() {
        noClasses().that(not(belongToAnyOf(Tasks.class, FleetManagerView.class, SecretDialog.class, FxPrompts.class)))
                .should().callMethod(Platform.class, "runLater", Runnable.class)
                .because("background work returns through app.common.Tasks; the few deferrals ADR 0008 names are "
                        + "the only other Platform.runLater")
                .check(MAIN);
    }

    @Test
    void noTwoTopLevelTypesShareASimpleName() {
        Map<String, List<String>> byName = MAIN.stream().filter(JavaClass::isTopLevelClass)
                .collect(Collectors.groupingBy(JavaClass::getSimpleName,
                        Collectors.mapping(JavaClass::getName, Collectors.toList())));
        assertThat(byName.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getValue).toList())
                .as("one name, one meaning (docs/decisions/0009-names.md)").isEmpty();
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
