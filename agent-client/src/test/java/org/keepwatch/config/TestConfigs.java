package org.keepwatch.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The real configurations the tests run on: keepalived's shipped samples and Neutron's shape. */
final class TestConfigs {
    static final List<String> SAMPLES = List.of(
        "keepalived.conf.HTTP_GET.port", "keepalived.conf.IPv6", "keepalived.conf.PING_CHECK",
        "keepalived.conf.SMTP_CHECK", "keepalived.conf.SSL_GET", "keepalived.conf.UDP_CHECK",
        "keepalived.conf.conditional_conf", "keepalived.conf.fwmark", "keepalived.conf.inhibit",
        "keepalived.conf.misc_check", "keepalived.conf.misc_check_arg", "keepalived.conf.quorum",
        "keepalived.conf.sample", "keepalived.conf.status_code", "keepalived.conf.track_interface",
        "keepalived.conf.virtual_server_group", "keepalived.conf.virtualhost", "keepalived.conf.vrrp",
        "keepalived.conf.vrrp.localcheck", "keepalived.conf.vrrp.lvs_syncd", "keepalived.conf.vrrp.routes",
        "keepalived.conf.vrrp.rules", "keepalived.conf.vrrp.scripts", "keepalived.conf.vrrp.static_ipaddress",
        "keepalived.conf.vrrp.sync");

    private TestConfigs() {
    }

    static byte[] sample(String name) {
        return resource("samples/" + name);
    }

    static byte[] neutron() {
        return resource("neutron/keepalived.conf");
    }

    static byte[] resource(String name) {
        try (InputStream in = TestConfigs.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing test resource " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ConfigDocument parse(String text) {
        return new ConfigParser().parse("/etc/keepalived/keepalived.conf", text);
    }
}
