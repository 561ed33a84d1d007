package org.keepwatch.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What an edit of one member changes that every member of its router must share, from the file's text. */
class SharedSettingsTest {

    private static final String PATH = "/etc/keepalived/keepalived.conf";

    /** The lab's n3: BACKUP 50 of VI_1. */
    private static final String LAB = """
        global_defs {
            router_id n3
        }
        vrrp_instance VI_1 {
            state BACKUP
            interface eth0
            virtual_router_id 51
            priority 50
            advert_int 1
            authentication {
                auth_type PASS
                auth_pass kwlab1
            }
            virtual_ipaddress {
                10.77.0.101/24 dev eth0
            }
        }
        """;

    private static List<SharedSettingChange> changed(String before, String after) {
        return SharedSettings.changed(PATH, before, after, "n3");
    }

    private static List<String> described(List<SharedSettingChange> changes) {
        return changes.stream().map(SharedSettingChange::describe).toList();
    }

    @Test
    void aNewAuthPassIsAChangeOfAuthenticationAndNeverShowsEitherPassword() {
        List<SharedSettingChange> changes = changed(LAB, LAB.replace("auth_pass kwlab1", "auth_pass kwsplit1"));
        assertThat(changes).singleElement().satisfies(c -> {
            assertThat(c.instance()).isEqualTo("VI_1");
            assertThat(c.setting()).isEqualTo(SharedSettingChange.Setting.AUTHENTICATION);
        });
        assertThat(described(changes)).singleElement().asString()
            .isEqualTo("authentication of VI_1 (auth_type PASS with the old auth_pass → auth_type PASS with a new auth_pass)")
            .doesNotContain("kwlab1").doesNotContain("kwsplit1");
    }

    @Test
    void authenticationAddedOrRemovedIsAChange() {
        String none = LAB.replaceAll("(?s)    authentication \\{.*?\\}\\n", "");
        assertThat(described(changed(none, LAB))).containsExactly("authentication of VI_1 (none → auth_type PASS)");
        assertThat(described(changed(LAB, none))).containsExactly("authentication of VI_1 (auth_type PASS → none)");
    }

    @Test
    void anAuthPassChangedBeyondItsEighthCharacterChangesNothingKeepalivedUses() {
        String longer = LAB.replace("auth_pass kwlab1", "auth_pass kwlab1xyA");
        assertThat(changed(longer, longer.replace("kwlab1xyA", "kwlab1xyB"))).isEmpty();
        assertThat(changed(longer, longer.replace("kwlab1xyA", "kwlab1xzA"))).extracting(SharedSettingChange::setting)
            .containsExactly(SharedSettingChange.Setting.AUTHENTICATION);
    }

    @Test
    void aMembersOwnSettingsAreNotShared() {
        String edited = LAB.replace("priority 50", "priority 60").replace("state BACKUP", "state MASTER")
            .replace("router_id n3", "router_id n3b").replace("10.77.0.101/24 dev eth0", "10.77.0.101/25 dev eth1");
        assertThat(changed(LAB, edited)).isEmpty();
    }

    @Test
    void advertIntVrrpIdAndVipsAreEachNamedWithTheirValues() {
        String edited = LAB.replace("advert_int 1", "advert_int 2").replace("virtual_router_id 51", "virtual_router_id 52")
            .replace("10.77.0.101/24 dev eth0", "10.77.0.101/24 dev eth0\n        10.77.0.120/24 dev eth0");
        assertThat(described(changed(LAB, edited))).containsExactly(
            "virtual_router_id of VI_1 (51 → 52)",
            "advert_int of VI_1 (1 s → 2 s)",
            "virtual_ipaddress of VI_1 (10.77.0.101 → 10.77.0.101 10.77.0.120)");
    }

    @Test
    void defaultsAreComparedAsTheyTakeEffect() {
        String noAdvert = LAB.replace("    advert_int 1\n", "");
        assertThat(changed(LAB, noAdvert)).isEmpty();
        assertThat(described(changed(noAdvert, noAdvert.replace("priority 50", "priority 50\n    advert_int 0.5"))))
            .containsExactly("advert_int of VI_1 (1 s → 0.5 s)");
        assertThat(changed(LAB, LAB.replace("    advert_int 1\n", "    advert_int 1\n    version 2\n"))).isEmpty();
    }

    @Test
    void authenticationIsIgnoredWhereOnlyVrrpVersion3IsSpoken() {
        String v3 = LAB.replace("router_id n3", "router_id n3\n    vrrp_version 3");
        assertThat(changed(v3, v3.replace("auth_pass kwlab1", "auth_pass kwsplit1"))).isEmpty();
        assertThat(described(changed(LAB, v3))).containsExactly("VRRP version of VI_1 (2 → 3)");
    }

    @Test
    void anIpv6VipWrittenAnotherWayIsTheSameAddress() {
        String v6 = LAB.replace("10.77.0.101/24 dev eth0", "2001:db8::1/64 dev eth0");
        assertThat(changed(v6, v6.replace("2001:db8::1/64", "2001:0db8:0:0::1/64"))).isEmpty();
    }

    @Test
    void anInstanceAddedOrRemovedIsNotAChangeOfASharedSetting() {
        String second = LAB + LAB.substring(LAB.indexOf("vrrp_instance")).replace("VI_1", "VI_2").replace("51", "52");
        assertThat(changed(LAB, second)).isEmpty();
        assertThat(changed(second, LAB)).isEmpty();
    }

    @Test
    void everyInstanceIsComparedOnItsOwn() {
        String two = LAB + LAB.substring(LAB.indexOf("vrrp_instance")).replace("VI_1", "VI_2").replace("virtual_router_id 51",
            "virtual_router_id 52");
        int second = two.indexOf("VI_2");
        String edited = two.substring(0, second) + two.substring(second).replace("advert_int 1", "advert_int 3");
        assertThat(described(changed(two, edited))).containsExactly("advert_int of VI_2 (1 s → 3 s)");
    }

    @Test
    void theConfigIdPicksWhichConditionalLinesCount() {
        String conditional = LAB.replace("    advert_int 1\n", "    @n3 advert_int 2\n    @^n3 advert_int 1\n");
        assertThat(described(SharedSettings.changed(PATH, LAB, conditional, "n3"))).containsExactly("advert_int of VI_1 (1 s → 2 s)");
        assertThat(SharedSettings.changed(PATH, LAB, conditional, "n1")).isEmpty();
    }
}
