package org.keepwatch.app.fleetedit;

import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.keepwatch.fleet.edit.FieldProblem;

import java.util.List;
import java.util.function.Supplier;

/**
 * What a form knows about its fields: the problems found the last time they were checked, whether saving is
 * allowed, and how many edits were made (so a view can tell the form was touched). Every field change re-checks.
 */
final class FormStatus {

    private final ObservableList<FieldProblem> problems = FXCollections.observableArrayList();
    private final ObservableList<FieldProblem> problemsView = FXCollections.unmodifiableObservableList(problems);
    private final LongProperty edits = new SimpleLongProperty(this, "edits");
    private final BooleanBinding valid = Bindings.createBooleanBinding(
            () -> problems.stream().noneMatch(FieldProblem::blocking), problems);
    private final Supplier<List<FieldProblem>> check;

    FormStatus(Supplier<List<FieldProblem>> check) {
        this.check = check;
    }

    /** Re-checks whenever one of {@code fields} changes, and counts the change as an edit. */
    void watch(List<Observable> fields) {
        fields.forEach(o -> o.addListener(x -> {
            edits.set(edits.get() + 1);
            validate();
        }));
        validate();
    }

    void validate() {
        problems.setAll(check.get());
    }

    /** The problems found by the last check (read-only: only a check changes them). */
    ObservableList<FieldProblem> problems() {
        return problemsView;
    }

    BooleanBinding valid() {
        return valid;
    }

    ReadOnlyLongProperty edits() {
        return edits;
    }
}
