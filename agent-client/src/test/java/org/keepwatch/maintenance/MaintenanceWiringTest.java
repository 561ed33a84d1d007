package org.keepwatch.maintenance;

import org.junit.jupiter.api.Test;
import org.keepwatch.config.ConfigDocument;
import org.keepwatch.config.ConfigParser;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The set-up's edit: Keepwatch's track_file block and each instance tracking it, nothing else touched. */
class MaintenanceWiringTest {

    private static final String TRACK = "/var/lib/keepwatch/maintenance/keepalived.weight";

    private static String text(ConfigDocument doc) {
        return new String(doc.render().get("/etc/keepalived/keepalived.conf"), StandardCharsets.UTF_8);
    }

    @Test
    void theBlockIsAddedOnceAndEveryInstanceTracksIt() {
        String before = "global_defs {\n  router_id n1\n}\n\nvrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n"
                + "  virtual_router_id 51\n  priority 150\n  track_file {\n    other_file\n  }\n}\n"
                + "vrrp_instance VI_2 {\n  interface eth0\n  virtual_router_id 52\n  priority 100\n}\n";
        ConfigDocument doc = new ConfigParser().parse("/etc/keepalived/keepalived.conf", before.getBytes(StandardCharsets.UTF_8));
        String after = text(MaintenanceService.wire(doc, TRACK, "track_file", true, List.of("VI_1", "VI_2")));
        assertThat(after).startsWith("global_defs {\n  router_id n1\n}\n\n# Keepwatch's maintenance weight");
        assertThat(after).contains("track_file keepwatch_maintenance {\n    file \"" + TRACK + "\"\n    weight -1\n}\n\nvrrp_instance VI_1 {");
        assertThat(after).contains("  track_file {\n    other_file\n    keepwatch_maintenance\n  }\n");
        assertThat(after).contains("  priority 100\n  track_file {\n    keepwatch_maintenance\n  }\n}\n");
        String again = text(MaintenanceService.wire(doc, TRACK, "track_file", false, List.of()));
        assertThat(again).isEqualTo(before);
    }

    @Test
    void keepalivedBefore21GetsTheOldKeyword() {
        assertThat(MaintenanceService.trackFileKeyword(Optional.of("2.0.19"))).isEqualTo("vrrp_track_file");
        assertThat(MaintenanceService.trackFileKeyword(Optional.of("2.2.7"))).isEqualTo("track_file");
        assertThat(MaintenanceService.trackFileKeyword(Optional.empty())).isEqualTo("track_file");
    }
}
