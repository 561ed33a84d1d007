package org.keepwatch.inventory;

import java.io.IOException;
import java.nio.file.Path;

/** An inventory that cannot be read, naming the file and the line. */
public final class InventoryException extends IOException {

    public InventoryException(Path file, int line, String problem) {
        super(file + (line > 0 ? " line " + line : "") + ": " + problem);
    }
}
