package org.keepwatch.app.dialogs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A stand-in for secret-tool: the same command line (store --label=L attrs..., lookup attrs..., clear attrs...),
 * secrets kept in files under a directory, every command line logged so a test can see no secret was on it.
 */
public final class FakeSecretTool {

    private FakeSecretTool() {
    }

    public static Path install(Path dir) throws IOException {
        Path script = dir.resolve("secret-tool");
        Files.writeString(script, """
                #!/bin/bash
                store="$(dirname "$0")/store"; mkdir -p "$store"
                printf '%s\\n' "$*" >> "$(dirname "$0")/args.log"
                cmd="$1"; shift
                [ "$cmd" = store ] && shift
                key=$(printf '%s/' "$@" | sha1sum | cut -c1-16)
                case "$cmd" in
                  store) cat > "$store/$key" ;;
                  lookup) [ -f "$store/$key" ] && cat "$store/$key" || exit 1 ;;
                  clear) rm -f "$store/$key" ;;
                  *) echo "unknown command $cmd" >&2; exit 2 ;;
                esac
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
