package org.keepwatch.fleet.edit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.fleet.ConnectionSettings;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetGroup;
import org.keepwatch.fleet.FleetNode;
import org.keepwatch.fleet.edit.FieldProblem.Field;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Every rule says which field is wrong and what about it, in words an operator can act on. */
class FleetValidatorTest {

    @TempDir
    Path home;

    private final Fleet fleet = Fleet.empty().withGroup(FleetGroup.named("lab", ""))
            .withNode(FleetNode.of("n1", "lab", ConnectionSettings.NONE));

    private List<FieldProblem> node(String name, SettingsInput input) {
        return new FleetValidator(home).node(fleet, Optional.empty(), name, "lab", input);
    }

    private static SettingsInput input(String host, String port, String user, String key, String knownHosts, String jump) {
        return new SettingsInput(host, port, user, key, knownHosts, Optional.empty(), jump);
    }

    @Test
    void aCleanNodeHasNoProblems() throws IOException {
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/id_ed25519"), "key");
        assertThat(node("n2", input("10.0.0.2", "2222", "root", "~/.ssh/id_ed25519", "", "bastion,root@jump2:2200")))
                .isEmpty();
    }

    @Test
    void namesAreRequiredUniqueAndUsableAsAnAlias() {
        assertThat(node(" ", SettingsInput.BLANK)).extracting(FieldProblem::field, FieldProblem::level)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Field.NAME, FieldProblem.Level.ERROR));
        assertThat(node("n1", SettingsInput.BLANK)).extracting(FieldProblem::message)
                .containsExactly("There is already a node named n1");
        assertThat(node("my node", SettingsInput.BLANK)).extracting(FieldProblem::message)
                .containsExactly("Name \"my node\" contains a space; ssh cannot use it as a host alias");
        // Editing n1 under its own name is not a duplicate.
        assertThat(new FleetValidator(home).node(fleet, Optional.of("n1"), "n1", "lab", SettingsInput.BLANK)).isEmpty();
    }

    @Test
    void hostPortUserAndJumpHostSayWhatIsWrong() {
        assertThat(node("n2", input("root@10.0.0.2", "", "", "", "", ""))).extracting(FieldProblem::message)
                .containsExactly("Host \"root@10.0.0.2\" contains @: put the user name in User");
        assertThat(node("n2", input("10.0.0.2:2222", "", "", "", "", ""))).extracting(FieldProblem::message)
                .containsExactly("Host \"10.0.0.2:2222\" contains a port: put 2222 in Port");
        assertThat(node("n2", input("fe80::1", "0", "a b", "", "", ""))).extracting(FieldProblem::field, FieldProblem::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Field.PORT, "Port \"0\" is not a number between 1 and 65535"),
                        org.assertj.core.groups.Tuple.tuple(Field.USER, "User \"a b\" contains a space"));
        assertThat(node("n2", input("", "ssh", "", "", "", ""))).extracting(FieldProblem::field).containsExactly(Field.PORT);
        assertThat(node("n2", input("", "", "", "", "", "bastion,:22"))).extracting(FieldProblem::message)
                .containsExactly("Jump host \":22\" is not [user@]host[:port] (several hops are separated by commas)");
        assertThat(node("n2", input("", "", "", "", "", "n2"))).extracting(FieldProblem::message)
                .containsExactly("A node cannot be its own jump host");
    }

    @Test
    void missingFilesAreWarningsADirectoryIsAnError() throws IOException {
        Files.createDirectories(home.resolve(".ssh"));
        List<FieldProblem> problems = node("n2", input("", "", "", "~/.ssh/missing", "~/.ssh", ""));
        assertThat(problems).extracting(FieldProblem::field, FieldProblem::level).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Field.IDENTITY_FILE, FieldProblem.Level.WARNING),
                org.assertj.core.groups.Tuple.tuple(Field.KNOWN_HOSTS_FILE, FieldProblem.Level.ERROR));
        assertThat(problems.get(0).message()).isEqualTo("There is no key at " + home.resolve(".ssh/missing")
                + " on this workstation");
        // ssh_config tokens are expanded at connect time, not checked here.
        assertThat(node("n2", input("", "", "", "~/.ssh/id_%h", "", ""))).isEmpty();
    }

    @Test
    void groupsNeedAUniqueName() {
        FleetValidator validator = new FleetValidator(home);
        assertThat(validator.group(fleet, Optional.empty(), "lab", SettingsInput.BLANK)).extracting(FieldProblem::message)
                .containsExactly("There is already a group named lab");
        assertThat(validator.group(fleet, Optional.of("lab"), "lab", SettingsInput.BLANK)).isEmpty();
        assertThat(validator.group(fleet, Optional.empty(), "", SettingsInput.BLANK)).extracting(FieldProblem::message)
                .containsExactly("A group needs a name");
    }
}
