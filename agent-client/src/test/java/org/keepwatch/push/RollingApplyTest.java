package org.keepwatch.push;

import org.junit.jupiter.api.Test;
import org.keepwatch.config.SharedSettingChange;
import org.keepwatch.config.SharedSettings;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a rolling push says before anything is written (the push itself: RollingApplyLabTest). */
class RollingApplyTest {

    private static final String VI_1 = """
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            priority 50
            authentication {
                auth_type PASS
                auth_pass kwlab1
            }
            virtual_ipaddress {
                10.77.0.101/24
            }
        }
        """;

    @Test
    void aChangeOfNoSharedSettingHasNoWarning() {
        List<SharedSettingChange> changes = SharedSettings.changed("/k.conf", VI_1, VI_1.replace("priority 50", "priority 60"), "n3");
        assertThat(RollingApply.splitWarning(changes)).isEmpty();
    }

    @Test
    void aNewPasswordIsNamedWithWhatARollingPushDoesAndTheSafeWayButNeverThePassword() {
        List<SharedSettingChange> changes = SharedSettings.changed("/k.conf", VI_1, VI_1.replace("kwlab1", "kwsplit1"), "n3");
        assertThat(RollingApply.splitWarning(changes)).hasValueSatisfying(w -> assertThat(w)
                .startsWith("This change alters authentication of VI_1 (auth_type PASS with the old auth_pass → auth_type PASS"
                        + " with a new auth_pass) on every member")
                .contains("a second MASTER", "stops the push and rolls that member back", "every member at the same time",
                        "maintenance window")
                .doesNotContain("kwlab1").doesNotContain("kwsplit1"));
    }
}
