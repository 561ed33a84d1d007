package org.keepwatch.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Validates IP literals without ever touching DNS (a typo like 192.168.300.1 must not become a lookup). */
final class Addresses {
    private Addresses() {
    }

    static boolean isIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) return false;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) return false;
            if (Integer.parseInt(part) > 255) return false;
        }
        return true;
    }

    static boolean isIpv6(String text) {
        String address = text.contains("%") ? text.substring(0, text.indexOf('%')) : text;
        if (!address.contains(":") || !address.matches("[0-9A-Fa-f:.]+")) return false;
        try {
            InetAddress.getByName(address); // a literal with ':' is parsed, never resolved
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static boolean isIp(String text) {
        return isIpv4(text) || isIpv6(text);
    }

    /** One spelling per address, so fe80::1 and FE80:0::1 compare equal; anything not an IP stays as written. */
    static String canonical(String text) {
        if (!isIpv6(text)) return text;
        String address = text.contains("%") ? text.substring(0, text.indexOf('%')) : text;
        try {
            return InetAddress.getByName(address).getHostAddress();
        } catch (UnknownHostException e) {
            return text;
        }
    }

    /** 169.254.0.0/16 or fe80::/10: unique only on one link, so many networks may each use the same one. */
    static boolean isLinkLocal(String text) {
        if (isIpv4(text)) return text.startsWith("169.254.");
        if (!isIpv6(text)) return false;
        try {
            return InetAddress.getByName(text.contains("%") ? text.substring(0, text.indexOf('%')) : text).isLinkLocalAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** ADDRESS or ADDRESS/PREFIX with a prefix in range for the family. */
    static boolean isPrefix(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        if (!isIp(address)) return false;
        if (slash < 0) return true;
        var length = Values.integer(text.substring(slash + 1));
        return length.isPresent() && length.getAsInt() >= 0 && length.getAsInt() <= (address.contains(":") ? 128 : 32);
    }
}
