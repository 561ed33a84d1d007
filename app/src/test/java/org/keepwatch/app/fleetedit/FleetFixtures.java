package org.keepwatch.app.fleetedit;

import org.keepwatch.fleet.FleetService;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.edit.FleetEdits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/** A fleet file as lab/up writes it (with a field this version does not know), and a service opened on it. */
final class FleetFixtures {

    static final String LAB_FLEET = """
            {
              "version": 1,
              "name": "keepwatch-lab",
              "groups": [
                {"name": "lab", "description": "keepalived nodes on one LAN", "defaults": {"user": "root", "port": 22}},
                {"name": "lab-neutron", "description": "a Neutron network node pair"}
              ],
              "nodes": [
                {"name": "n1", "group": "lab", "host": "10.77.0.11", "identityFile": "/var/lib/kw-lab/keys/id_ed25519",
                 "knownHostsFile": "/var/lib/kw-lab/keys/known_hosts", "sudo": false, "rack": "r12"},
                {"name": "n2", "group": "lab", "host": "10.77.0.12"},
                {"name": "net1", "group": "lab-neutron", "host": "10.77.1.11", "user": "stack", "sudo": true}
              ]
            }
            """;

    private FleetFixtures() {
    }

    static Path labFleet(Path dir) throws IOException {
        return Files.writeString(dir.resolve("fleet.json"), LAB_FLEET);
    }

    /** A service with no connections (the state is fed by hand), opened on {@code file}. */
    static FleetService opened(Path file) {
        FleetService service = new FleetService(Clock.systemUTC(), Runnable::run, null);
        service.open(file).join();
        return service;
    }

    /** Edits that open a new default file in the service, as the app does. */
    static FleetEdits edits(FleetService service, Path defaultFile) {
        return new FleetEdits(service, Runnable::run, defaultFile, path -> {
            CompletableFuture<Fleet> opened = service.open(path);
            return opened;
        });
    }
}
