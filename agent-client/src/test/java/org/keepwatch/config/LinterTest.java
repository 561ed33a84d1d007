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
    void neutronConfigurationIsCleanApartFromWhatKeepalivedItselfSays() {
        // Neutron's template tracks the router's own ha- interface; keepalived -t says "Ignoring track_interface
        // ha-... since own interface" (and 2.2.7 exits 5 for it), so lint says so too, and nothing else.
        ConfigDocument doc = new ConfigParser().parse("/neutron/keepalived.conf", TestConfigs.neutron());
        assertThat(linter.lint(doc, LintOptions.forConfigId("network1")).diagnostics())
            .extracting(Diagnostic::code, d -> d.location().line())
            .containsExactly(org.assertj.core.groups.Tuple.tuple("ignored-value", 14));
    }

    private List<Diagnostic> lintOn(String release, String text) {
        return linter.lint(TestConfigs.parse(text), LintOptions.forConfigId("main").withKeepalived(Optional.of(release))).diagnostics();
    }

    @Test
    void topLevelKeywordsAreAcceptedOutsideGlobalDefsAndNamedInsideIt() {
        // global_parser.c installs these with install_keyword_root: keepalived takes them beside global_defs only.
        assertThat(lint("net_namespace blue\ninstance lb\nuse_pid_dir\n" + GOOD)).isEmpty();
        assertThat(lint(GOOD.replace("router_id lb1", "router_id lb1\n    net_namespace blue")))
            .singleElement().satisfies(d -> {
                assertThat(d.code()).isEqualTo("unknown-keyword");
                assertThat(d.location().line()).isEqualTo(3);
                assertThat(d.message()).contains("top-level keyword");
            });
    }

    @Test
    void unicastAddressesWrittenWithAPrefixAreAcceptedAsKeepalivedDoes() {
        String unicast = GOOD.replace("advert_int 1", "advert_int 1\n    unicast_src_ip 10.0.0.1/24\n    unicast_peer {\n        10.0.0.2/24\n    }");
        assertThat(lint(unicast)).isEmpty();
        assertThat(lint(unicast.replace("10.0.0.2/24", "10.0.0.2/99"))).extracting(Diagnostic::code).containsExactly("invalid-address");
    }

    @Test
    void garpIntervalOfZeroIsOutsideTheRangeKeepalivedEnforces() {
        List<Diagnostic> found = lint(GOOD.replace("router_id lb1", "router_id lb1\n    vrrp_garp_interval 0\n    vrrp_gna_interval 0.5"));
        assertThat(found).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("invalid-number");
            assertThat(d.location().line()).isEqualTo(3);
            assertThat(d.message()).contains("vrrp_garp_interval", "0.000001");
        });
        assertThat(lint(GOOD.replace("advert_int 1", "advert_int 1\n}\nvirtual_server 10.0.0.1 80 {\n    lvs_sched rr\n    persistence_timeout 0\n")
            .replace("    virtual_ipaddress {\n        192.168.200.16/24 dev eth0\n    }\n}", "")))
            .extracting(Diagnostic::code).contains("invalid-number");
        // check_parser.c: "Quorum 0 must be in [1, 4294967295]. Setting to 1."
        assertThat(lint(GOOD + "virtual_server 10.0.0.1 80 {\n    lvs_sched rr\n    quorum 0\n}\n"))
            .extracting(Diagnostic::code, d -> d.location().line()).containsExactly(org.assertj.core.groups.Tuple.tuple("invalid-number", 16));
    }

    @Test
    void authenticationUnderVrrpVersion3IsIgnoredAsKeepalivedSays() {
        String auth = GOOD.replace("advert_int 1", "advert_int 1\n    authentication {\n        auth_type PASS\n        auth_pass abc\n    }");
        assertThat(lint(auth)).isEmpty();
        assertThat(lint(auth.replace("advert_int 1", "advert_int 1\n    version 3"))).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("ignored-value");
            assertThat(d.message()).contains("VRRP version 3");
        });
        assertThat(lint(auth.replace("router_id lb1", "router_id lb1\n    vrrp_version 3"))).extracting(Diagnostic::code)
            .containsExactly("ignored-value");
    }

    @Test
    void trackingTheInstancesOwnInterfaceIsIgnoredAsKeepalivedSays() {
        String tracked = GOOD.replace("advert_int 1", "advert_int 1\n    track_interface {\n        eth0\n        eth1\n    }");
        assertThat(lint(tracked)).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("ignored-value");
            assertThat(d.location().line()).isEqualTo(11);
            assertThat(d.message()).contains("eth0", "own interface");
        });
    }

    @Test
    void aKeywordAddedIn22IsUnknownToANodeRunning215() {
        // keywords-versions.tsv: keepalived 2.1.5's parser answers "Unknown keyword 'mcast_dst_ip'"; 2.2.7 and 2.3.3 know it.
        String config = GOOD.replace("advert_int 1", "advert_int 1\n    mcast_dst_ip 224.0.0.19");
        assertThat(lint(config)).isEmpty();
        assertThat(lintOn("2.2.7", config)).isEmpty();
        assertThat(lintOn("2.3.3", config)).isEmpty();
        assertThat(lintOn("2.1.5", config)).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("unknown-keyword");
            assertThat(d.severity()).isEqualTo(Severity.ERROR);
            assertThat(d.location().line()).isEqualTo(10);
            assertThat(d.message()).contains("keepalived 2.1.5 does not know 'mcast_dst_ip'", "2.2.7, 2.3.3");
        });
        // a 2.1 release that was not probed answers as the probed 2.1.5; an unparsable version as no version
        assertThat(lintOn("2.1.9", config)).extracting(Diagnostic::code).containsExactly("unknown-keyword");
        assertThat(lintOn("unknown", config)).isEmpty();
    }

    @Test
    void versionsParseAsKeepalivedPrintsThem() {
        assertThat(KeepalivedVersion.parse("Keepalived v2.2.7 (01/16,2022)")).contains(new KeepalivedVersion(2, 2, 7));
        assertThat(KeepalivedVersion.parse("2.3")).contains(new KeepalivedVersion(2, 3, 0));
        assertThat(KeepalivedVersion.parse("none")).isEmpty();
        assertThat(new KeepalivedVersion(2, 1, 5)).isLessThan(new KeepalivedVersion(2, 2, 0));
    }

    @Test
    void whatKeepalivedRefusesOnALineIsNamedOnThatLine() {
        // keepalived -t: "Invalid lvs_scheduler 'loadbalance' - ignoring", "missing a parameter after keyword",
        // "unknown authentication type 'PASS;'", "Warning - empty notification_email block"
        List<Diagnostic> lvs = lint(GOOD + "virtual_server 10.0.0.1 80 {\n    lb_algo loadbalance\n    lb_kind DR\n}\n");
        assertThat(lvs).extracting(Diagnostic::code, d -> d.location().line())
            .containsExactly(org.assertj.core.groups.Tuple.tuple("invalid-value", 15));
        assertThat(lint(GOOD.replace("router_id lb1", "router_id lb1\n    vrrp_garp_master_refresh")))
            .extracting(Diagnostic::code, d -> d.location().line()).containsExactly(org.assertj.core.groups.Tuple.tuple("missing-value", 3));
        assertThat(lint(GOOD.replace("advert_int 1", "advert_int 1\n    authentication {\n        auth_type PASS;\n        auth_pass abc\n    }")))
            .extracting(Diagnostic::code, d -> d.location().line()).containsExactly(org.assertj.core.groups.Tuple.tuple("invalid-value", 11));
        assertThat(lint(GOOD.replace("router_id lb1", "router_id lb1\n    notification_email {\n    }")))
            .extracting(Diagnostic::code, d -> d.location().line()).containsExactly(org.assertj.core.groups.Tuple.tuple("ignored-value", 3));
    }

    @Test
    void aRouteWithoutDevIsReportedUntilKeepalived23() {
        // keepalived -t 2.1.5 and 2.2.7: "Warning - cannot track route 192.168.112.0/24 with no interface specified";
        // 2.3.3 says nothing for the same file (corpus 074, keepalived's own sample)
        String routes = GOOD.replace("advert_int 1", "advert_int 1\n    virtual_routes {\n        192.168.112.0/24 via 192.168.100.254\n    }");
        assertThat(lintOn("2.1.5", routes)).extracting(Diagnostic::code).containsExactly("route-not-tracked");
        assertThat(lintOn("2.2.7", routes)).extracting(Diagnostic::code).containsExactly("route-not-tracked");
        assertThat(lint(routes)).extracting(Diagnostic::code).containsExactly("route-not-tracked");
        assertThat(lintOn("2.3.3", routes)).isEmpty();
    }

    @Test
    void aKeywordOnlyKeepalived23KnowsIsAcceptedThereAndNamedElsewhere() {
        // found by probe_keepalived_keywords.py --discover: 2.3.3's vrrp_parser takes owner_ignore_adverts, 2.2.7's does not
        String config = GOOD.replace("advert_int 1", "advert_int 1\n    owner_ignore_adverts");
        assertThat(lintOn("2.3.3", config)).isEmpty();
        assertThat(lintOn("2.2.7", config)).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("unknown-keyword");
            assertThat(d.message()).contains("keepalived 2.2.7 does not know 'owner_ignore_adverts'", "(keepalived 2.3.3 does)");
        });
        assertThat(lint(config)).extracting(Diagnostic::code).containsExactly("unknown-keyword");
    }

    @Test
    void aDeprecatedKeywordKeepalivedWarnsAboutIsAWarning() {
        // keepalived -t: "nb_get_retry is deprecated - please use 'retry'" (HTTP_GET in keepalived's own sample)
        String http = GOOD + "virtual_server 10.0.0.1 80 {\n    lvs_sched rr\n    real_server 10.0.0.2 80 {\n        HTTP_GET {\n"
            + "            url {\n                path /\n            }\n            nb_get_retry 3\n        }\n    }\n}\n";
        assertThat(lint(http)).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("deprecated");
            assertThat(d.severity()).isEqualTo(Severity.WARNING);
            assertThat(d.location().line()).isEqualTo(21);
            assertThat(d.message()).contains("retry");
        });
    }

    @Test
    void aNetmaskOrBindAddressKeepalivedCannotReadIsNamed() {
        // keepalived -t: "Invalid IPv4 persistence_granularity specified - <NETMASK>", "Invalid bindto address <ip> - ignoring"
        String lvs = GOOD + "virtual_server 10.0.0.1 80 {\n    lvs_sched rr\n    persistence_granularity 255.255.255.0\n"
            + "    real_server 10.0.0.2 80 {\n        TCP_CHECK {\n            bindto 10.0.0.1\n        }\n    }\n}\n";
        assertThat(lint(lvs)).isEmpty();
        assertThat(lint(lvs.replace("granularity 255.255.255.0", "granularity <NETMASK>").replace("bindto 10.0.0.1", "bindto <ip>")))
            .extracting(Diagnostic::code, d -> d.location().line())
            .containsExactly(org.assertj.core.groups.Tuple.tuple("invalid-address", 16), org.assertj.core.groups.Tuple.tuple("invalid-address", 19));
    }
}
