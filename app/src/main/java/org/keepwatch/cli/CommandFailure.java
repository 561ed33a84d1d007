package org.keepwatch.cli;

/**
 * A command that cannot go on, said in words that name what and where (the fleet file, the node), with the exit
 * status it ends with. {@link Main} prints it after the command's name.
 */
final class CommandFailure extends RuntimeException {

    private final int exitStatus;

    CommandFailure(int exitStatus, String message) {
        super(message);
        this.exitStatus = exitStatus;
    }

    int exitStatus() {
        return exitStatus;
    }
}
