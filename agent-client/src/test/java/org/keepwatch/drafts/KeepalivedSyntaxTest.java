package org.keepwatch.drafts;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KeepalivedSyntaxTest {

    @Test
    void colorsALineAsKeepalivedReadsIt() {
        String text = "vrrp_instance VI_1 { # main\n@n1 priority 150\n  virtual_ipaddress {\n    10.0.0.1/24 dev eth0\n  }\n"
                + "  notify \"/bin/x a\" ! c\n$IF=eth0\n";
        List<String> tokens = KeepalivedSyntax.tokens(text).stream()
                .map(t -> t.kind() + ":" + text.substring(t.start(), t.end())).toList();
        assertThat(tokens).containsExactly("BLOCK:vrrp_instance", "BRACE:{", "COMMENT:# main", "CONDITION:@n1", "KEYWORD:priority",
                "NUMBER:150", "BLOCK:virtual_ipaddress", "BRACE:{", "ADDRESS:10.0.0.1/24", "BRACE:}", "KEYWORD:notify",
                "STRING:\"/bin/x a\"", "COMMENT:! c", "VARIABLE:$IF=eth0");
    }
}
