package org.keepwatch.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which settings every member of a router must share an edit of one member changes, instance by instance:
 * authentication (only where VRRPv2 is spoken: keepalived ignores it with v3), virtual_router_id,
 * advert_int, VRRP version and the virtual_ipaddress set (carried in every advert). A rolling push of
 * such a change splits the router until every member has it. Values are compared as they take effect,
 * defaults filled in and auth_pass cut to the 8 characters keepalived uses, like {@link PeerChecker}.
 * Instances are matched by name; one added or removed is not a change of a shared setting.
 */
public final class SharedSettings {

    private static final int AUTH_PASS_USED = 8;
    private static final double DEFAULT_ADVERT_INT = 1;

    private SharedSettings() {
    }

    /**
     * The typed configuration of one file's text as keepalived reads it with {@code -i configId}. Only that
     * file is read: includes it names are not resolved (they are the same before and after an edit of it).
     */
    public static KeepalivedConfig model(String path, String text, String configId) {
        ConfigDocument document = new ConfigParser(new InMemorySource(Map.of()), ParseLimits.DEFAULT).parse(path, text);
        return ModelBuilder.build(document.effective(configId));
    }

    /** The shared settings changed between one file's text before and after an edit. */
    public static List<SharedSettingChange> changed(String path, String before, String after, String configId) {
        return changed(model(path, before, configId), model(path, after, configId));
    }

    /** The shared settings changed between two configurations of one member, in the order of {@code after}'s instances. */
    public static List<SharedSettingChange> changed(KeepalivedConfig before, KeepalivedConfig after) {
        PeerMember old = new PeerMember("before", "", before);
        PeerMember now = new PeerMember("after", "", after);
        List<SharedSettingChange> out = new ArrayList<>();
        for (VrrpInstance instance : after.instances()) {
            Optional<VrrpInstance> previous = before.instance(instance.name());
            previous.ifPresent(p -> compare(p, old.version(p), instance, now.version(instance), out));
        }
        return out;
    }

    private static void compare(VrrpInstance before, int versionBefore, VrrpInstance after, int versionAfter,
                                List<SharedSettingChange> out) {
        String name = after.name();
        if (versionBefore == 2 || versionAfter == 2) {
            authentication(before, after).ifPresent(out::add);
        }
        String vridBefore = before.virtualRouterId().isPresent() ? String.valueOf(before.virtualRouterId().getAsInt()) : "none";
        String vridAfter = after.virtualRouterId().isPresent() ? String.valueOf(after.virtualRouterId().getAsInt()) : "none";
        add(out, name, SharedSettingChange.Setting.VIRTUAL_ROUTER_ID, vridBefore, vridAfter);
        add(out, name, SharedSettingChange.Setting.ADVERT_INT, seconds(before.advertInt().orElse(DEFAULT_ADVERT_INT)),
            seconds(after.advertInt().orElse(DEFAULT_ADVERT_INT)));
        add(out, name, SharedSettingChange.Setting.VERSION, String.valueOf(versionBefore), String.valueOf(versionAfter));
        Set<String> vipsBefore = vips(before);
        Set<String> vipsAfter = vips(after);
        if (!vipsBefore.equals(vipsAfter)) {
            out.add(new SharedSettingChange(name, SharedSettingChange.Setting.VIPS, addresses(vipsBefore), addresses(vipsAfter)));
        }
    }

    /** Passwords are compared, never shown: "auth_type PASS with the old auth_pass" against "... a new auth_pass". */
    private static Optional<SharedSettingChange> authentication(VrrpInstance before, VrrpInstance after) {
        Optional<String> typeBefore = before.authentication().flatMap(VrrpInstance.Authentication::type);
        Optional<String> typeAfter = after.authentication().flatMap(VrrpInstance.Authentication::type);
        Optional<String> passBefore = typeBefore.flatMap(t -> before.authentication().flatMap(VrrpInstance.Authentication::pass).map(SharedSettings::used));
        Optional<String> passAfter = typeAfter.flatMap(t -> after.authentication().flatMap(VrrpInstance.Authentication::pass).map(SharedSettings::used));
        if (typeBefore.equals(typeAfter) && passBefore.equals(passAfter)) {
            return Optional.empty();
        }
        // only between two typed authentications is the password what changed; else the type says it
        boolean passChanged = typeBefore.isPresent() && typeAfter.isPresent() && !passBefore.equals(passAfter);
        return Optional.of(new SharedSettingChange(after.name(), SharedSettingChange.Setting.AUTHENTICATION,
            authentication(typeBefore, passChanged ? " with the old auth_pass" : ""),
            authentication(typeAfter, passChanged ? " with a new auth_pass" : "")));
    }

    private static String authentication(Optional<String> type, String pass) {
        return type.map(t -> "auth_type " + t + pass).orElse("none");
    }

    private static String used(String pass) {
        return pass.length() > AUTH_PASS_USED ? pass.substring(0, AUTH_PASS_USED) : pass;
    }

    /** The addresses an advert carries: virtual_ipaddress only, without prefix, dev or label. */
    private static Set<String> vips(VrrpInstance instance) {
        Set<String> out = new LinkedHashSet<>();
        instance.virtualAddresses().forEach(a -> out.add(Addresses.canonical(a.address())));
        return out;
    }

    private static String addresses(Set<String> vips) {
        return vips.isEmpty() ? "none" : String.join(" ", vips);
    }

    private static void add(List<SharedSettingChange> out, String instance, SharedSettingChange.Setting setting,
                            String before, String after) {
        if (!before.equals(after)) {
            out.add(new SharedSettingChange(instance, setting, before, after));
        }
    }

    private static String seconds(double value) {
        return new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString() + " s";
    }
}
