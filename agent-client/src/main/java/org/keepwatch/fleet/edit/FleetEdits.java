package org.keepwatch.fleet.edit;

import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetFile;
import org.keepwatch.fleet.FleetService;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Every change the fleet editor makes, as a function applied to the latest fleet on the I/O thread and saved
 * through {@link FleetService} (atomically; changed nodes reconnect). With no fleet open, the change starts a
 * new fleet file in Keepwatch's configuration directory, which is then opened as any fleet is.
 */
public final class FleetEdits {

    private final FleetService service;
    private final Executor io;
    private final Path defaultFile;
    private final Function<Path, CompletableFuture<Fleet>> open;
    private final Object lock = new Object();

    /**
     * @param defaultFile where a new fleet goes (~/.config/keepwatch/fleet.json)
     * @param open        opens a fleet file in the app (title, settings, the main view), used after the first save
     */
    public FleetEdits(FleetService service, Executor io, Path defaultFile, Function<Path, CompletableFuture<Fleet>> open) {
        this.service = service;
        this.io = io;
        this.defaultFile = defaultFile;
        this.open = open;
    }

    /** The fleet being edited now (an empty one when none is open). */
    public Fleet current() {
        return service.fleet();
    }

    /** Where the next save goes. */
    public Path target() {
        return service.file().orElse(defaultFile);
    }

    /** Applies {@code edit} to the latest fleet and saves it; completes (on the I/O thread) with the saved fleet. */
    public CompletableFuture<Fleet> apply(UnaryOperator<Fleet> edit) {
        return CompletableFuture.supplyAsync(() -> {
            // One edit at a time, each on the result of the last: two quick edits never lose one.
            synchronized (lock) {
                if (service.isOpen()) {
                    Fleet changed = edit.apply(service.fleet());
                    service.save(changed).join();
                    return new Saved(changed, false);
                }
                Fleet changed = edit.apply(startingFleet());
                try {
                    FleetFile.write(defaultFile, changed);
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
                return new Saved(changed, true);
            }
        }, io).thenCompose(saved -> saved.created() ? open.apply(defaultFile) : CompletableFuture.completedFuture(saved.fleet()));
    }

    private record Saved(Fleet fleet, boolean created) {
    }

    /** A fleet file already in the configuration directory is added to, never overwritten blindly. */
    private Fleet startingFleet() {
        if (!Files.exists(defaultFile)) {
            return Fleet.empty();
        }
        try {
            return FleetFile.read(defaultFile);
        } catch (IOException e) {
            throw new CompletionException(new IOException(defaultFile + " already exists and cannot be read, so it "
                    + "was left as it is (" + e.getMessage() + "); fix or move it, then try again", e));
        }
    }
}
