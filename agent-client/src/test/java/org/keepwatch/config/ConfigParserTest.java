package org.keepwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class ConfigParserTest {

    @ParameterizedTest
    @FieldSource("org.keepwatch.config.TestConfigs#SAMPLES")
    void everyShippedSampleRoundTripsByteIdentically(String name) {
        byte[] original = TestConfigs.sample(name);
        ConfigDocument doc = new ConfigParser().parse("/samples/" + name, original);
        assertThat(doc.render().get("/samples/" + name)).isEqualTo(original);
        assertThat(doc.roots()).isNotEmpty();
        assertThat(doc.diagnostics()).filteredOn(d -> d.severity() == Severity.ERROR).isEmpty();
    }

    @Test
    void neutronConfigRoundTripsAndHasItsInstance() {
        ConfigDocument doc = new ConfigParser().parse("/neutron/keepalived.conf", TestConfigs.neutron());
        assertThat(doc.render().get("/neutron/keepalived.conf")).isEqualTo(TestConfigs.neutron());
        Statement instance = doc.roots().get(1);
        assertThat(instance.words()).containsExactly("vrrp_instance", "VR_1");
        assertThat(instance.child("virtual_ipaddress_excluded").orElseThrow().children()).hasSize(2);
        assertThat(instance.child("nopreempt")).isPresent();
    }

    @Test
    void oddFormattingRoundTripsAndParsesLikeKeepalived() {
        String text = "! c\r\n\tglobal_defs{router_id X}\n\nvrrp_instance VI_1 # comment\n  # between\n{\n"
            + "  virtual_ipaddress { 10.0.0.1 10.0.0.2 }  \n  notify \"/bin/echo a # b\" 'x y'\n}\n  trailing";
        ConfigDocument doc = TestConfigs.parse(text);
        assertThat(new String(doc.render().values().iterator().next(), StandardCharsets.UTF_8)).isEqualTo(text);
        assertThat(doc.roots()).extracting(Statement::keyword).containsExactly("global_defs", "vrrp_instance", "trailing");
        assertThat(doc.roots().get(0).children()).extracting(Statement::toString).containsExactly("router_id X");
        Statement instance = doc.roots().get(1);
        assertThat(instance.child("virtual_ipaddress").orElseThrow().children().get(0).words())
            .containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(instance.child("notify").orElseThrow().args()).containsExactly("/bin/echo a # b", "x y");
        assertThat(doc.diagnostics()).isEmpty();
    }

    @Test
    void conditionalsDefinitionsAndLoopsAreKeptRaw() {
        ConfigDocument doc = TestConfigs.parse("@high $P=200\n@^low priority 1\n~SEQ(i,1,3) x $i\n$M= \\\n a \\\n b\nafter\n");
        assertThat(doc.roots()).extracting(Statement::kind).containsExactly(
            Statement.Kind.DEFINITION, Statement.Kind.KEYWORD, Statement.Kind.LOOP, Statement.Kind.DEFINITION, Statement.Kind.KEYWORD);
        assertThat(doc.roots().get(0).condition()).contains("high");
        assertThat(doc.roots().get(1).condition()).contains("^low");
        assertThat(doc.roots().get(3).lastLine()).isEqualTo(5);
        assertThat(doc.roots().get(4).keyword()).isEqualTo("after");
    }

    @Test
    void unbalancedBracesNameTheLineWhereTheBlockBegan() {
        ConfigDocument doc = TestConfigs.parse("global_defs {\n  router_id a\n}\nvrrp_instance VI_1 {\n  state MASTER\n");
        assertThat(doc.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.code()).isEqualTo("unclosed-block");
            assertThat(d.location()).isEqualTo(new Location("/etc/keepalived/keepalived.conf", 4, 1));
        });
        ConfigDocument extra = TestConfigs.parse("a {\n}\n}\n");
        assertThat(extra.diagnostics()).extracting(Diagnostic::code, d -> d.location().line())
            .containsExactly(org.assertj.core.groups.Tuple.tuple("unexpected-close", 3));
    }

    @Test
    void unterminatedQuoteIsReportedWithColumn() {
        ConfigDocument doc = TestConfigs.parse("vrrp_script s {\n  script \"/bin/true\n}\n");
        assertThat(doc.diagnostics()).extracting(Diagnostic::code, d -> d.location().line(), d -> d.location().column())
            .containsExactly(org.assertj.core.groups.Tuple.tuple("unterminated-quote", 2, 10));
    }

    @Test
    void includesAreReadRelativeToTheIncludingFileAndBlocksMayContinueIntoThem(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("conf.d"));
        Files.writeString(dir.resolve("keepalived.conf"), "vrrp_instance VI_1 {\n  include conf.d/*.conf\n}\ninclude missing/*.conf\n");
        Files.writeString(dir.resolve("conf.d/b.conf"), "priority 20\n");
        Files.writeString(dir.resolve("conf.d/a.conf"), "include ../keepalived.conf\nstate BACKUP\n");
        ConfigDocument doc = new ConfigParser().load(dir.resolve("keepalived.conf").toString());
        assertThat(doc.files()).extracting(SourceFile::path).containsExactly(
            dir.resolve("keepalived.conf").toString(), dir.resolve("conf.d/a.conf").toString(), dir.resolve("conf.d/b.conf").toString());
        assertThat(doc.roots().get(0).children()).extracting(Statement::keyword).containsExactly("include", "include", "state", "priority");
        assertThat(doc.diagnostics()).extracting(Diagnostic::code).containsExactly("include-loop", "include-no-match");
        assertThat(doc.diagnostics().get(0).location().file()).endsWith("a.conf");
    }

    @Test
    void inMemorySourceServesAnAgentsFiles() {
        var source = new InMemorySource(Map.of(
            "/etc/keepalived/keepalived.conf", "include /etc/keepalived/conf.d/{a,b}.conf\n".getBytes(StandardCharsets.UTF_8),
            "/etc/keepalived/conf.d/a.conf", "x 1\n".getBytes(StandardCharsets.UTF_8),
            "/etc/keepalived/conf.d/b.conf", "y 2\n".getBytes(StandardCharsets.UTF_8)));
        ConfigDocument doc = new ConfigParser(source, ParseLimits.DEFAULT).load("/etc/keepalived/keepalived.conf");
        assertThat(doc.roots()).extracting(Statement::keyword).containsExactly("include", "x", "y");
        assertThat(List.copyOf(doc.render().keySet())).hasSize(3);
    }
}
