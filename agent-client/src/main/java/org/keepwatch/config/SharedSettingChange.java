package org.keepwatch.config;

/**
 * A setting every member of a VRRP router must share, changed by an edit of one member: while some members
 * have the old value and some the new, they drop each other's adverts and each side elects a MASTER of its
 * own. {@code before} and {@code after} are in words; a password is never among them.
 */
public record SharedSettingChange(String instance, Setting setting, String before, String after) {

    /** The settings a VRRP advert carries or is checked against. */
    public enum Setting {
        AUTHENTICATION("authentication"),
        VIRTUAL_ROUTER_ID("virtual_router_id"),
        ADVERT_INT("advert_int"),
        VERSION("VRRP version"),
        VIPS("virtual_ipaddress");

        private final String keyword;

        Setting(String keyword) {
            this.keyword = keyword;
        }

        /** How the configuration names it. */
        public String keyword() {
            return keyword;
        }
    }

    /** "authentication of VI_1 (auth_type PASS with the old auth_pass → auth_type PASS with a new auth_pass)". */
    public String describe() {
        return setting.keyword() + " of " + instance + " (" + before + " → " + after + ")";
    }
}
