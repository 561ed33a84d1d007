package org.keepwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LinterTest {
    private final Linter linter = new Linter();

    private List<Diagnostic> lint(String text) {
        return linter.lint(TestConfigs.parse(text), LintOptions.forConfigId("main")).diagnostics();
    }

    private static final String GOOD = """
        global_defs {
            router_id lb1
        }
        vrrp_instance VI_1 {
            state BACKUP
            interface eth0
            virtual_router_id 51
            priority 100
            advert_int 1
            virtual_ipaddress {
                192.168.200.16/24 dev eth0
            }
        }
        """;

    @Test
    void cleanConfigurationHasNoFindings() {
        assertThat(lint(GOOD)).isEmpty();
    }

    @Test
    void unknownKeywordNamesItsPlaceAndSuggestsTheRightOne() {
        List<Diagnostic> found = lint(GOOD.replace("priority 100", "prority 100"));
        assertThat(found).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("unknown-keyword");
            assertThat(d.location()).isEqualTo(new Location("/etc/keepalived/keepalived.conf", 8, 5));
            assertThat(d.suggestion()).contains("priority");
            assertThat(d.severity()).isEqualTo(Severity.ERROR);
        });
    }

    @Test
    void valuesOutOfRangeAndInvalidAddressesAreErrors() {
        List<Diagnostic> found = lint(GOOD.replace("priority 100", "priority 256").replace("state BACKUP", "state FOO")
            .replace("192.168.200.16/24", "192.168.300.1").replace("advert_int 1", "advert_int abc"));
        assertThat(found).extracting(Diagnostic::code)
            .containsExactlyInAnyOrder("invalid-value", "invalid-number", "invalid-number", "invalid-address");
    }

    @Test
    void duplicateNamesAndVridsOnOneInterface() {
        String second = GOOD.substring(GOOD.indexOf("vrrp_instance")).replace("VI_1", "VI_2");
        assertThat(lint(GOOD + second)).extracting(Diagnostic::code).containsExactly("duplicate-vrid");
        assertThat(lint(GOOD + second.replace("VI_2", "VI_1"))).extracting(Diagnostic::code).containsExactly("duplicate-name");
        assertThat(lint(GOOD + second.replace("eth0\n", "eth1\n"))).isEmpty();
    }

    @Test
    void authPassOverEightAndMasterWithAh() {
        String auth = GOOD.replace("advert_int 1", "advert_int 1\n    authentication {\n        auth_type AH\n        auth_pass 123456789\n    }")
            .replace("state BACKUP", "state MASTER");
        assertThat(lint(auth)).extracting(Diagnostic::code).containsExactlyInAnyOrder("auth-pass-too-long", "master-with-ah");
    }

    @Test
    void whatKeepalivedStaysSilentAbout() {
        String text = GOOD.replace("state BACKUP", "state MASTER\n    nopreempt").replace("advert_int 1", "advert_int 1\n    advert_int 2")
            .replace("priority 100", "priority 255");
        assertThat(lint(text)).extracting(Diagnostic::code)
            .containsExactlyInAnyOrder("master-nopreempt", "duplicate-keyword", "priority-owner");
        LintOptions owner = new LintOptions("main", Optional.empty(), Optional.of(Set.of("192.168.200.16")));
        assertThat(linter.lint(TestConfigs.parse(text), owner).diagnostics()).extracting(Diagnostic::code)
            .doesNotContain("priority-owner");
        LintReport report = linter.lint(TestConfigs.parse(text), LintOptions.forConfigId("main"));
        assertThat(report.verdict()).isEqualTo(LintReport.Grade.WARNINGS);
        assertThat(report.keepalivedVerdict()).isEqualTo(LintReport.Grade.CLEAN);
    }

    @Test
    void scriptsReferencesAndScriptSecurity() {
        String text = GOOD.replace("advert_int 1", "advert_int 1\n    track_script {\n        chk_a\n        chk_missing weight 2\n    }")
            + "vrrp_script chk_a {\n    script \"/bin/true\"\n}\n";
        assertThat(lint(text)).extracting(Diagnostic::code).containsExactlyInAnyOrder("unknown-reference", "script-security");
        assertThat(lint(text.replace("router_id lb1", "router_id lb1\n    enable_script_security")))
            .extracting(Diagnostic::code).containsExactly("unknown-reference");
    }

    @Test
    void conditionalsAreLintedForTheGivenConfigId() {
        String text = GOOD.replace("    priority 100\n", "@main priority 100\n@backup priority 300\n");
        assertThat(lint(text)).isEmpty();
        assertThat(linter.lint(TestConfigs.parse(text), LintOptions.forConfigId("backup")).diagnostics())
            .singleElement().satisfies(d -> {
                assertThat(d.code()).isEqualTo("invalid-number");
                assertThat(d.location().line()).isEqualTo(9);
            });
    }

    @Test
    void includeThatMatchesNothingIsAWarning() {
        assertThat(lint(GOOD + "include /nonexistent/kwt/*.conf\n")).extracting(Diagnostic::code, Diagnostic::severity)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("include-no-match", Severity.WARNING));
    }

    @Test
    void neutronConfigurationIsCleanApartFromWhatOperatorsShouldKnow() {
        ConfigDocument doc = new ConfigParser().parse("/neutron/keepalived.conf", TestConfigs.neutron());
        assertThat(linter.lint(doc, LintOptions.forConfigId("network1")).diagnostics()).isEmpty();
    }
}
