package org.keepwatch.app.fleetedit;

import javafx.beans.Observable;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.keepwatch.fleet.ConnectionSettings;
import org.keepwatch.fleet.edit.SettingsInput;

import java.util.Optional;

/** The connection fields of a node or a group's defaults as editable properties. */
public final class SettingsFormModel {

    /** Sudo as a choice: unset (the group's default, or no), or said here. */
    public enum Sudo {
        INHERIT, YES, NO;

        Optional<Boolean> value() {
            return this == INHERIT ? Optional.empty() : Optional.of(this == YES);
        }

        static Sudo of(Optional<Boolean> value) {
            return value.map(v -> v ? YES : NO).orElse(INHERIT);
        }
    }

    private final StringProperty host = new SimpleStringProperty(this, "host", "");
    private final StringProperty port = new SimpleStringProperty(this, "port", "");
    private final StringProperty user = new SimpleStringProperty(this, "user", "");
    private final StringProperty identityFile = new SimpleStringProperty(this, "identityFile", "");
    private final StringProperty knownHostsFile = new SimpleStringProperty(this, "knownHostsFile", "");
    private final ObjectProperty<Sudo> sudo = new SimpleObjectProperty<>(this, "sudo", Sudo.INHERIT);
    private final StringProperty jumpHost = new SimpleStringProperty(this, "jumpHost", "");

    public void load(ConnectionSettings settings) {
        SettingsInput input = SettingsInput.of(settings);
        host.set(input.host());
        port.set(input.port());
        user.set(input.user());
        identityFile.set(input.identityFile());
        knownHostsFile.set(input.knownHostsFile());
        sudo.set(Sudo.of(input.sudo()));
        jumpHost.set(input.jumpHost());
    }

    public SettingsInput input() {
        return new SettingsInput(nonNull(host.get()), nonNull(port.get()), nonNull(user.get()),
                nonNull(identityFile.get()), nonNull(knownHostsFile.get()),
                (sudo.get() == null ? Sudo.INHERIT : sudo.get()).value(), nonNull(jumpHost.get()));
    }

    /** Everything a form listens to for re-validation. */
    public Observable[] observables() {
        return new Observable[]{host, port, user, identityFile, knownHostsFile, sudo, jumpHost};
    }

    private static String nonNull(String text) {
        return text == null ? "" : text;
    }

    public StringProperty hostProperty() {
        return host;
    }

    public StringProperty portProperty() {
        return port;
    }

    public StringProperty userProperty() {
        return user;
    }

    public StringProperty identityFileProperty() {
        return identityFile;
    }

    public StringProperty knownHostsFileProperty() {
        return knownHostsFile;
    }

    public ObjectProperty<Sudo> sudoProperty() {
        return sudo;
    }

    public StringProperty jumpHostProperty() {
        return jumpHost;
    }
}
