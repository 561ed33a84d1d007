package org.keepwatch.app.editor;

import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.keepwatch.fleet.VrrpState;

/** One member of the router in the router editor: its state when opened, its priority, its push progress. */
public final class MemberRow {

    private final String node;
    private final String instance;
    private final ObjectProperty<VrrpState> state = new SimpleObjectProperty<>(this, "state", VrrpState.UNKNOWN);
    private final StringProperty live = new SimpleStringProperty(this, "live", "");
    private final StringProperty priority = new SimpleStringProperty(this, "priority", "");
    private final StringProperty file = new SimpleStringProperty(this, "file", "");
    private final StringProperty rolling = new SimpleStringProperty(this, "rolling", "");
    private final ApplyProgress progress = new ApplyProgress();

    public MemberRow(String node, String instance) {
        this.node = node;
        this.instance = instance;
    }

    public String node() {
        return node;
    }

    public String instance() {
        return instance;
    }

    /** The member's VRRP state as the fleet sees it now (UNKNOWN when not current). */
    public ReadOnlyObjectProperty<VrrpState> stateProperty() {
        return state;
    }

    /** Its effective priority as the fleet sees it, in words. */
    public ReadOnlyStringProperty liveProperty() {
        return live;
    }

    /** The priority in the edited configuration. */
    public ReadOnlyStringProperty priorityProperty() {
        return priority;
    }

    /** The file holding the instance, and whether it changed. */
    public ReadOnlyStringProperty fileProperty() {
        return file;
    }

    /** The rolling apply's last word about this member (checked, applied, back as BACKUP, left untouched). */
    public ReadOnlyStringProperty rollingProperty() {
        return rolling;
    }

    void setState(VrrpState value) {
        state.set(value);
    }

    void setLive(String value) {
        live.set(value);
    }

    void setPriority(String value) {
        priority.set(value);
    }

    void setFile(String value) {
        file.set(value);
    }

    void setRolling(String value) {
        rolling.set(value);
    }

    public ApplyProgress progress() {
        return progress;
    }
}
