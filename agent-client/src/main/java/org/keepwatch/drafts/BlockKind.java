package org.keepwatch.drafts;

import java.util.List;
import java.util.Optional;

/**
 * The blocks the visual form edits, and their fields: the keyword each writes (a path below the block
 * for nested ones such as {@code authentication auth_type}), how it is edited, and a hint in the
 * operator's words. Everything else stays editable in the text.
 */
public enum BlockKind {

    INSTANCE("vrrp_instance", "Instance", List.of(
            Field.choice("state", "Initial state", List.of("", "MASTER", "BACKUP"), "The state keepalived starts in; the election decides after."),
            Field.text("interface", "Interface", "Where VRRP adverts are sent, e.g. eth0."),
            Field.number("virtual_router_id", "VRID", "1–255; the same on every member of the router, unique on the network."),
            Field.number("priority", "Priority", "1–254 (255: address owner); the highest live member is MASTER."),
            Field.number("advert_int", "Advert interval (s)", "Seconds between adverts; the same on every member."),
            Field.flag("nopreempt", "No preempt", "A higher priority does not take over from a running MASTER (needs state BACKUP)."),
            Field.choice("authentication auth_type", "Authentication", List.of("", "PASS", "AH"), "VRRPv2 only; the same on every member."),
            Field.text("authentication auth_pass", "Password", "Up to 8 characters are used."),
            Field.list("virtual_ipaddress", "Virtual IPs", "One per line: ADDRESS/PREFIX [dev IF] [label L]"),
            Field.list("track_interface", "Tracked interfaces", "An interface down puts the instance in FAULT (or adds its weight)."),
            Field.list("track_script", "Tracked scripts", "vrrp_script names, optionally with weight N."),
            Field.text("unicast_src_ip", "Unicast source", "This node's address for unicast adverts."),
            Field.list("unicast_peer", "Unicast peers", "The other members' addresses; empty means multicast.")
    )),
    SCRIPT("vrrp_script", "Script", List.of(
            Field.text("script", "Command", "What runs, with its arguments; exit 0 means healthy."),
            Field.number("interval", "Interval (s)", "Seconds between runs."),
            Field.number("timeout", "Timeout (s)", "A run taking longer counts as failed."),
            Field.number("weight", "Weight", "-253–253; added to the priority while healthy (positive) or failing (negative). 0: FAULT on failure."),
            Field.number("rise", "Rise", "Successes in a row before healthy."),
            Field.number("fall", "Fall", "Failures in a row before failing."),
            Field.text("user", "User", "Who the script runs as.")
    )),
    SYNC_GROUP("vrrp_sync_group", "Sync group", List.of(
            Field.list("group", "Instances", "Instances that change state together, one per line."),
            Field.text("notify_master", "Notify master", "Script run when the group becomes MASTER."),
            Field.text("notify_backup", "Notify backup", "Script run when the group becomes BACKUP."),
            Field.text("notify_fault", "Notify fault", "Script run when the group goes to FAULT.")
    ));

    /** How a field is edited. */
    public enum Input { TEXT, NUMBER, CHOICE, FLAG, LIST }

    /** One field: {@code key} is the keyword path below the block. */
    public record Field(String key, Input input, String label, List<String> choices, String hint) {
        static Field text(String key, String label, String hint) {
            return new Field(key, Input.TEXT, label, List.of(), hint);
        }

        static Field number(String key, String label, String hint) {
            return new Field(key, Input.NUMBER, label, List.of(), hint);
        }

        static Field choice(String key, String label, List<String> choices, String hint) {
            return new Field(key, Input.CHOICE, label, choices, hint);
        }

        static Field flag(String key, String label, String hint) {
            return new Field(key, Input.FLAG, label, List.of(), hint);
        }

        static Field list(String key, String label, String hint) {
            return new Field(key, Input.LIST, label, List.of(), hint);
        }

        public List<String> words() {
            return List.of(key.split(" "));
        }
    }

    private final String keyword;
    private final String title;
    private final List<Field> fields;

    BlockKind(String keyword, String title, List<Field> fields) {
        this.keyword = keyword;
        this.title = title;
        this.fields = fields;
    }

    public String keyword() {
        return keyword;
    }

    public String title() {
        return title;
    }

    public List<Field> fields() {
        return fields;
    }

    public Optional<Field> field(String key) {
        return fields.stream().filter(f -> f.key().equals(key)).findFirst();
    }

    public static Optional<BlockKind> of(String keyword) {
        for (BlockKind kind : values()) {
            if (kind.keyword.equals(keyword)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
