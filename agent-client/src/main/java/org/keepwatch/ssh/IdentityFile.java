package org.keepwatch.ssh;

import java.nio.file.Path;

/**
 * One IdentityFile: as written in the config ({@code spec}, what {@code ssh -G} prints), where it points after
 * ~, ${VAR} and %-token expansion, and whether the user named it (OpenSSH's defaults are tried quietly if present).
 */
public record IdentityFile(String spec, Path path, boolean userProvided) {
}
