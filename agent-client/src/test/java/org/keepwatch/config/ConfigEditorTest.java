package org.keepwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigEditorTest {
    private static final String PATH = "/etc/keepalived/keepalived.conf";
    private static final String TEXT = """
        ! keep me
        vrrp_instance VI_1 {
        \tstate BACKUP   # initial
        \tinterface eth0
        \tpriority 100
        \tvirtual_ipaddress {
        \t\t10.0.0.1/24 dev eth0
        \t}
        }
        """;

    private static String text(ConfigDocument doc) {
        return new String(doc.render().get(PATH), StandardCharsets.UTF_8);
    }

    /** Lines present in after but not before, and the other way round. */
    private static List<String> changedLines(String before, String after) {
        List<String> a = Arrays.asList(before.split("\n", -1));
        List<String> b = Arrays.asList(after.split("\n", -1));
        return b.stream().filter(l -> !a.contains(l)).toList();
    }

    @Test
    void setReplacesOnlyTheValueKeepingCommentAndTabs() {
        ConfigDocument doc = ConfigEditor.set(TestConfigs.parse(TEXT), "vrrp_instance VI_1 state MASTER");
        assertThat(text(doc)).isEqualTo(TEXT.replace("state BACKUP", "state MASTER"));
    }

    @Test
    void setAddsAMissingKeywordIndentedLikeItsNeighbours() {
        ConfigDocument doc = ConfigEditor.set(TestConfigs.parse(TEXT), "vrrp_instance VI_1 advert_int 2");
        String after = text(doc);
        assertThat(changedLines(TEXT, after)).containsExactly("\tadvert_int 2");
        assertThat(after).startsWith(TEXT.substring(0, TEXT.indexOf("\t}\n}") + 3));
        assertThat(doc.roots().get(0).child("advert_int").orElseThrow().args()).containsExactly("2");
    }

    @Test
    void vipListEditsTouchOnlyTheirLines() {
        ConfigDocument added = ConfigEditor.add(TestConfigs.parse(TEXT), "vrrp_instance VI_1 virtual_ipaddress 10.0.0.2/24 dev eth0");
        assertThat(changedLines(TEXT, text(added))).containsExactly("\t\t10.0.0.2/24 dev eth0");
        ConfigDocument removed = ConfigEditor.remove(added, "vrrp_instance VI_1 virtual_ipaddress 10.0.0.1/24 dev eth0");
        assertThat(text(removed)).isEqualTo(TEXT.replace("10.0.0.1/24", "10.0.0.2/24"));
    }

    @Test
    void removeKeywordAndWholeBlock() {
        assertThat(text(ConfigEditor.remove(TestConfigs.parse(TEXT), "vrrp_instance VI_1 priority")))
            .isEqualTo(TEXT.replace("\tpriority 100\n", ""));
        assertThat(text(ConfigEditor.remove(TestConfigs.parse(TEXT), "vrrp_instance VI_1"))).isEqualTo("! keep me\n");
    }

    @Test
    void renameAndCopyFromTemplate() {
        ConfigDocument renamed = ConfigEditor.rename(TestConfigs.parse(TEXT), "vrrp_instance VI_1", "VI_9");
        assertThat(text(renamed)).isEqualTo(TEXT.replace("VI_1", "VI_9"));
        ConfigDocument copied = ConfigEditor.copyBlock(TestConfigs.parse(TEXT), "vrrp_instance VI_1", "VI_2");
        copied = ConfigEditor.set(copied, "vrrp_instance VI_2 priority 90");
        assertThat(text(copied)).startsWith(TEXT);
        assertThat(copied.roots()).extracting(Statement::toString).containsExactly("vrrp_instance VI_1 {4}", "vrrp_instance VI_2 {4}");
        assertThat(copied.roots().get(1).child("priority").orElseThrow().args()).containsExactly("90");
    }

    @Test
    void valuesWithSpacesAreQuotedAndNestedPathsResolve() {
        String lvs = "virtual_server 10.0.0.1 80 {\n  real_server 10.0.1.1 80 {\n    weight 1\n  }\n}\n";
        ConfigDocument doc = ConfigEditor.set(TestConfigs.parse(lvs), "virtual_server 10.0.0.1 80 real_server 10.0.1.1 80 weight 5");
        assertThat(text(doc)).isEqualTo(lvs.replace("weight 1", "weight 5"));
        ConfigDocument script = ConfigEditor.set(TestConfigs.parse("vrrp_script s {\n  interval 1\n}\n"), "vrrp_script s script '/bin/check a'");
        assertThat(text(script)).isEqualTo("vrrp_script s {\n  interval 1\n  script \"/bin/check a\"\n}\n");
    }

    @Test
    void impossibleEditsSayWhy() {
        assertThatThrownBy(() -> ConfigEditor.set(TestConfigs.parse(TEXT), "vrrp_instance VI_7 priority 1"))
            .isInstanceOf(ConfigEditException.class).hasMessageContaining("VI_7");
        String conditional = "vrrp_instance V {\n@a priority 1\n@b priority 2\n}\n";
        assertThatThrownBy(() -> ConfigEditor.set(TestConfigs.parse(conditional), "vrrp_instance V priority 3"))
            .isInstanceOf(ConfigEditException.class).hasMessageContaining("@a");
    }

    @Test
    void setEntriesKeepsUnchangedLinesRewritesChangedOnesInPlaceAndKeepsOrder() {
        String text = """
            vrrp_instance VI_1 {
                virtual_ipaddress {
                    10.0.0.1/24 dev eth0   # public
                    10.0.0.2/24
                    10.0.0.3/24
                }
            }
            """;
        List<String> block = List.of("vrrp_instance", "VI_1", "virtual_ipaddress");
        ConfigDocument doc = ConfigEditor.setEntries(TestConfigs.parse(text), block,
            List.of("10.0.0.1/24 dev eth0", "10.0.0.9/24", "10.0.0.3/24", "10.0.0.4/24 label eth0:4"));
        assertThat(text(doc)).isEqualTo(text.replace("10.0.0.2/24", "10.0.0.9/24")
            .replace("        10.0.0.3/24\n", "        10.0.0.3/24\n        10.0.0.4/24 label eth0:4\n"));
        ConfigDocument fewer = ConfigEditor.setEntries(doc, block, List.of("10.0.0.3/24"));
        assertThat(text(fewer)).isEqualTo("""
            vrrp_instance VI_1 {
                virtual_ipaddress {
                    10.0.0.3/24
                }
            }
            """);
        ConfigDocument first = ConfigEditor.setEntries(fewer, block, List.of("10.0.0.7/24", "10.0.0.3/24"));
        assertThat(ModelBuilder.build(first.effective("x")).instances().get(0).virtualAddresses())
            .extracting(VrrpInstance.VirtualAddress::address).containsExactly("10.0.0.7", "10.0.0.3");
        assertThat(ConfigEditor.setEntries(first, block, List.of("10.0.0.7/24", "10.0.0.3/24"))).isSameAs(first);
    }

    @Test
    void setEntriesCreatesAMissingListBlockAndHandlesOneLineBlocks() {
        ConfigDocument doc = ConfigEditor.setEntries(TestConfigs.parse(TEXT), List.of("vrrp_instance", "VI_1", "unicast_peer"),
            List.of("10.0.0.11", "10.0.0.12"));
        assertThat(changedLines(TEXT, text(doc))).containsExactly("\tunicast_peer {", "\t\t10.0.0.11", "\t\t10.0.0.12");
        assertThat(ModelBuilder.build(doc.effective("x")).instances().get(0).unicastPeers())
            .extracting(VrrpInstance.UnicastPeer::address).containsExactly("10.0.0.11", "10.0.0.12");

        String oneLine = "vrrp_instance VI_1 {\n  virtual_ipaddress { 10.0.0.1/24 }\n}\n";
        ConfigDocument split = ConfigEditor.setEntries(TestConfigs.parse(oneLine), List.of("vrrp_instance", "VI_1", "virtual_ipaddress"),
            List.of("10.0.0.1/24", "10.0.0.2/24"));
        assertThat(text(split)).isEqualTo("vrrp_instance VI_1 {\n  virtual_ipaddress {\n      10.0.0.1/24\n      10.0.0.2/24\n  }\n}\n");
    }

    @Test
    void ensureBlockAddsAnEmptyBlockOnceAndSetFillsIt() {
        List<String> auth = List.of("vrrp_instance", "VI_1", "authentication");
        ConfigDocument doc = ConfigEditor.ensureBlock(TestConfigs.parse(TEXT), auth);
        assertThat(ConfigEditor.ensureBlock(doc, auth)).isSameAs(doc);
        doc = ConfigEditor.set(doc, List.of("vrrp_instance", "VI_1", "authentication", "auth_type", "PASS"));
        doc = ConfigEditor.set(doc, List.of("vrrp_instance", "VI_1", "authentication", "auth_pass", "se cret"));
        assertThat(changedLines(TEXT, text(doc))).containsExactly("\tauthentication {", "\t\tauth_type PASS", "\t\tauth_pass \"se cret\"");
        VrrpInstance.Authentication parsed = ModelBuilder.build(doc.effective("x")).instances().get(0).authentication().orElseThrow();
        assertThat(parsed.type()).contains("PASS");
        assertThat(parsed.pass()).contains("se cret");
    }
}
