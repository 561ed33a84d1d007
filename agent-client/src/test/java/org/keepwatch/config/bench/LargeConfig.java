package org.keepwatch.config.bench;

import java.nio.charset.StandardCharsets;

/** A Neutron-shaped configuration of a given number of routers: about 500 bytes per instance. */
public final class LargeConfig {
    private LargeConfig() {
    }

    public static byte[] neutronRouters(int count) {
        StringBuilder text = new StringBuilder("global_defs {\n    notification_email_from neutron@openstack.local\n    router_id neutron\n}\n");
        for (int i = 0; i < count; i++) {
            String id = String.format("%08x-%02x", i * 2654435761L & 0xffffffffL, i % 256);
            int vrid = 1 + i % 255;
            text.append("vrrp_instance VR_").append(i).append(" {\n")
                .append("    state BACKUP\n")
                .append("    interface ha-").append(id).append('\n')
                .append("    virtual_router_id ").append(vrid).append('\n')
                .append("    priority 50\n")
                .append("    garp_master_delay 60\n")
                .append("    nopreempt\n")
                .append("    advert_int 2\n")
                .append("    track_interface {\n        ha-").append(id).append("\n    }\n")
                .append("    virtual_ipaddress {\n        169.254.0.").append(vrid).append("/24 dev ha-").append(id).append("\n    }\n")
                .append("    virtual_ipaddress_excluded {\n")
                .append("        10.").append(i / 250 % 250).append('.').append(i % 250).append(".1/24 dev qr-").append(id).append('\n')
                .append("        172.24.").append(i / 250 % 250).append('.').append(i % 250 + 2).append("/24 dev qg-").append(id).append('\n')
                .append("    }\n")
                .append("    virtual_routes {\n        0.0.0.0/0 via 172.24.4.1 dev qg-").append(id).append("\n    }\n")
                .append("}\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
