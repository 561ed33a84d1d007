package org.keepwatch.inventory;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Real Ansible inventory files (INI and YAML), for the import's own tests and the app's import dialog tests. */
public final class InventoryFixtures {

    private InventoryFixtures() {
    }

    /** inventory.ini or inventory.yml, as a file on disk. */
    public static Path file(String name) {
        try {
            return Path.of(InventoryFixtures.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
