package org.keepwatch.fleet.edit;

/**
 * Something wrong (or doubtful) with what the operator typed, naming the field and saying what is wrong.
 *
 * @param field the form field it belongs to (see {@link Field}), shown under that field
 */
public record FieldProblem(Field field, String message, Level level) {

    /** An error blocks saving; a warning is shown and saving goes ahead. */
    public enum Level { ERROR, WARNING }

    /** The form fields of a node or group. */
    public enum Field { NAME, GROUP, DESCRIPTION, HOST, PORT, USER, IDENTITY_FILE, KNOWN_HOSTS_FILE, SUDO, JUMP_HOST }

    public static FieldProblem error(Field field, String message) {
        return new FieldProblem(field, message, Level.ERROR);
    }

    public static FieldProblem warning(Field field, String message) {
        return new FieldProblem(field, message, Level.WARNING);
    }

    public boolean blocking() {
        return level == Level.ERROR;
    }
}
