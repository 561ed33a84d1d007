package org.keepwatch.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who acts, as this workstation knows it: the operator's own login and the workstation's name. Every agent is told in
 * hello, and writes it in each audit line beside the node's login user (often a shared root or deploy account), so
 * an action on a node names the person and the desk it came from.
 */
public record Operator(String user, String workstation) {

    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    /** The user running Keepwatch and this machine's host name (from the kernel: no DNS lookup that could hang). */
    public static Operator ofThisWorkstation() {
        return new Operator(System.getProperty("user.name", "unknown"), hostName());
    }

    private static String hostName() {
        try {
            String name = Files.readString(KERNEL_HOSTNAME).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | SecurityException e) {
            // not Linux: ask the JDK below
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
