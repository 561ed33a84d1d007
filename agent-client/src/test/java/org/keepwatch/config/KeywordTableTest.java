package org.keepwatch.config;

import org.keepwatch.testing.RequiredCommands;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeywordTableTest {
    private final KeywordTable table = KeywordTable.keepalived22();

    @Test
    void shippedTableIsWhatTheInstalledManPageSays() throws Exception {
        RequiredCommands.requireFile(ManPageKeywordExtractor.MAN_PAGE, "keepalived");
        String generated = ManPageKeywordExtractor.extract(ManPageKeywordExtractor.readManPage(ManPageKeywordExtractor.MAN_PAGE));
        try (InputStream in = KeywordTable.class.getResourceAsStream("keywords.tsv")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                .as("regenerate with ManPageKeywordExtractor").isEqualTo(generated);
        }
    }

    @Test
    void knowsTheKeywordsOperatorsEdit() {
        for (String keyword : new String[] {"state", "interface", "virtual_router_id", "priority", "advert_int", "version",
            "nopreempt", "preempt_delay", "authentication", "unicast_src_ip", "unicast_peer", "track_interface",
            "track_script", "track_file", "track_process", "virtual_ipaddress", "virtual_ipaddress_excluded",
            "virtual_routes", "virtual_rules", "notify_master", "notify_backup", "notify_fault", "notify",
            "garp_master_delay", "garp_master_refresh"}) {
            assertThat(table.lookup("vrrp_instance", keyword)).as(keyword).isPresent();
        }
        assertThat(table.lookup("vrrp_instance", "virtual_ipaddress").orElseThrow().listBlock()).isTrue();
        assertThat(table.lookup("", "track_file").orElseThrow().listBlock()).isFalse();
        assertThat(table.lookup("vrrp_instance/authentication", "auth_pass")).isPresent();
        assertThat(table.lookup("virtual_server/real_server/HTTP_GET/url", "digest")).isPresent();
        assertThat(table.lookup("virtual_server/real_server", "TCP_CHECK").orElseThrow().takesBlock()).isTrue();
        assertThat(table.lookup("global_defs", "enable_script_security")).isPresent();
        assertThat(table.lookup("vrrp_instance", "prority")).isEmpty();
    }

    @Test
    void suggestsTheNearestKeywordForATypo() {
        assertThat(table.suggest("vrrp_instance", "prority")).contains("priority");
        assertThat(table.suggest("vrrp_instance", "bananas")).isEmpty();
        assertThat(table.suggest("vrrp_instance", "interfce")).contains("interface");
        assertThat(table.suggest("global_defs", "xyzzy")).isEmpty();
    }
}
