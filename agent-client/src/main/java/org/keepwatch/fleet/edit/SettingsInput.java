package org.keepwatch.fleet.edit;

import org.keepwatch.fleet.ConnectionSettings;

import java.util.Optional;

/**
 * Connection settings as typed into a form: text, blank meaning "not set here" (the group's default, then
 * ~/.ssh/config decide). {@link FleetValidator} checks it before {@link #toSettings()} is used.
 */
public record SettingsInput(String host, String port, String user, String identityFile, String knownHostsFile,
                            Optional<Boolean> sudo, String jumpHost) {

    public static final SettingsInput BLANK = new SettingsInput("", "", "", "", "", Optional.empty(), "");

    public static SettingsInput of(ConnectionSettings settings) {
        return new SettingsInput(settings.host().orElse(""), settings.port().map(String::valueOf).orElse(""),
                settings.user().orElse(""), settings.identityFile().orElse(""), settings.knownHostsFile().orElse(""),
                settings.sudo(), settings.jumpHost().orElse(""));
    }

    /** The settings; call only after validation found no error (a bad port would throw). */
    public ConnectionSettings toSettings() {
        return new ConnectionSettings(text(host), text(port).map(Integer::valueOf), text(user), text(identityFile),
                text(knownHostsFile), sudo, text(jumpHost));
    }

    private static Optional<String> text(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }
}
