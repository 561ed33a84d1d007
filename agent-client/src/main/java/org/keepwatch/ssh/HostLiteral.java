package org.keepwatch.ssh;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Numeric host names read as OpenSSH reads them: through glibc's getaddrinfo(AI_NUMERICHOST), whose IPv4 parser is
 * inet_aton (one to four parts, each decimal, octal with a leading 0, or hex with 0x; the last part fills the
 * remaining bytes) and whose IPv6 parser is inet_pton. Java reads IPv4 literals differently (decimal only, so
 * 010.0.0.1 is 10.0.0.1 to Java and 8.0.0.1 to ssh): another machine. Keepwatch never lets Java read a literal.
 */
final class HostLiteral {

    private HostLiteral() {
    }

    /**
     * The address {@code host} names if getaddrinfo would read it as a numeric IPv4 or IPv6 address (an IPv6 zone
     * {@code %scope} is not read: such a name is not canonicalised, and connecting leaves it to the system).
     */
    static Optional<byte[]> address(String host) {
        Optional<byte[]> v4 = inetAton(host);
        return v4.isPresent() ? v4 : inetPton6(host);
    }

    /**
     * ssh.c's canonicalisation of an address: getnameinfo(NI_NUMERICHOST)'s form (dotted decimal, or inet_ntop's
     * IPv6 form), kept as written when only letter case differs, as ssh compares them with strcasecmp. Empty if
     * {@code host} is not an address to getaddrinfo.
     */
    static Optional<String> canonical(String host) {
        return address(host).map(bytes -> {
            String printed = bytes.length == 4 ? dotted(bytes) : ntop6(bytes);
            return printed.equalsIgnoreCase(host) ? host : printed;
        });
    }

    /**
     * Why Java would connect to another machine than ssh for this name, if it would: a name getaddrinfo does not
     * read as an address (ssh would look it up in DNS) but Java would read as one without asking DNS, such as
     * {@code 08.1.1.1} (08 is no octal number) or {@code 1.2.3.256}.
     */
    static Optional<String> ambiguity(String host) {
        if (address(host).isPresent() || host.indexOf('%') >= 0) {
            return Optional.empty();
        }
        boolean digitsAndDots = !host.isEmpty() && host.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
        if (digitsAndDots) {
            return Optional.of("host name " + host + " is not an IPv4 address to ssh (its getaddrinfo would look it"
                    + " up in DNS) but Java would read it as one, so it may name another machine; write the address"
                    + " in plain dotted decimal without leading zeros");
        }
        if (host.indexOf(':') >= 0 || host.indexOf('[') >= 0) {
            return Optional.of("host name " + host + " is not an IPv6 address to ssh but Java would read it as one;"
                    + " write the address as inet_pton reads it (no brackets in HostName)");
        }
        return Optional.empty();
    }

    /** The address to open a socket to for {@code host}: the address ssh would read, or a name lookup. */
    static InetAddress socketAddress(String host) throws UnknownHostException {
        Optional<byte[]> numeric = address(host);
        if (numeric.isPresent()) {
            return InetAddress.getByAddress(host, numeric.get());
        }
        return InetAddress.getByName(host);
    }

    /** glibc's inet_aton as getaddrinfo uses it (__inet_aton_exact: nothing may follow the number). */
    static Optional<byte[]> inetAton(String text) {
        long[] parts = new long[4];
        int count = 0;
        int i = 0;
        int n = text.length();
        while (true) {
            if (i >= n || !isDigit(text.charAt(i))) {
                return Optional.empty();
            }
            long value = 0;
            int base = 10;
            if (text.charAt(i) == '0') {
                base = 8;
                i++;
                if (i < n && (text.charAt(i) == 'x' || text.charAt(i) == 'X')) {
                    // strtoul reads "0x" without a hex digit as 0 followed by an 'x': trailing garbage.
                    if (i + 1 >= n || text.charAt(i + 1) >= 128 || Character.digit(text.charAt(i + 1), 16) < 0) {
                        return Optional.empty();
                    }
                    base = 16;
                    i++;
                }
            }
            while (i < n) {
                char c = text.charAt(i);
                int digit = c < 128 ? Character.digit(c, base) : -1;
                if (digit < 0) {
                    break;
                }
                value = value * base + digit;
                if (value > 0xFFFFFFFFL) {
                    return Optional.empty();
                }
                i++;
            }
            if (i < n && text.charAt(i) != '.') {
                // An '8' or '9' in an octal part, or any other character: not a number.
                return Optional.empty();
            }
            if (count == 4) {
                return Optional.empty();
            }
            parts[count++] = value;
            if (i == n) {
                break;
            }
            i++;
            if (count == 4) {
                return Optional.empty();
            }
        }
        long address;
        switch (count) {
            case 1:
                address = parts[0];
                break;
            case 2:
                if (parts[0] > 0xFF || parts[1] > 0xFFFFFF) return Optional.empty();
                address = (parts[0] << 24) | parts[1];
                break;
            case 3:
                if (parts[0] > 0xFF || parts[1] > 0xFF || parts[2] > 0xFFFF) return Optional.empty();
                address = (parts[0] << 24) | (parts[1] << 16) | parts[2];
                break;
            default:
                for (long part : parts) {
                    if (part > 0xFF) return Optional.empty();
                }
                address = (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3];
        }
        return Optional.of(new byte[]{(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8),
                (byte) address});
    }

    /** inet_pton(AF_INET6): hex groups of one to four digits, one "::", an optional dotted quad at the end. */
    static Optional<byte[]> inetPton6(String text) {
        byte[] out = new byte[16];
        int n = text.length();
        int i = 0;
        int tp = 0;
        int colonp = -1;
        if (n == 0) {
            return Optional.empty();
        }
        if (text.charAt(0) == ':') {
            if (n < 2 || text.charAt(1) != ':') {
                return Optional.empty();
            }
            i = 1;
        }
        int curtok = i;
        boolean sawXdigit = false;
        int val = 0;
        int digits = 0;
        while (i < n) {
            char ch = text.charAt(i++);
            int digit = Character.digit(ch, 16);
            if (digit >= 0 && ch < 128) {
                if (++digits > 4) {
                    return Optional.empty();
                }
                val = (val << 4) | digit;
                sawXdigit = true;
                continue;
            }
            if (ch == ':') {
                curtok = i;
                if (!sawXdigit) {
                    if (colonp >= 0) {
                        return Optional.empty();
                    }
                    colonp = tp;
                    continue;
                } else if (i == n) {
                    return Optional.empty();
                }
                if (tp + 2 > 16) {
                    return Optional.empty();
                }
                out[tp++] = (byte) (val >> 8);
                out[tp++] = (byte) val;
                sawXdigit = false;
                digits = 0;
                val = 0;
                continue;
            }
            if (ch == '.' && tp + 4 <= 16) {
                Optional<byte[]> quad = inetPton4(text.substring(curtok));
                if (quad.isEmpty()) {
                    return Optional.empty();
                }
                System.arraycopy(quad.get(), 0, out, tp, 4);
                tp += 4;
                sawXdigit = false;
                break;
            }
            return Optional.empty();
        }
        if (sawXdigit) {
            if (tp + 2 > 16) {
                return Optional.empty();
            }
            out[tp++] = (byte) (val >> 8);
            out[tp++] = (byte) val;
        }
        if (colonp >= 0) {
            if (tp == 16) {
                return Optional.empty();
            }
            int moved = tp - colonp;
            for (int k = 1; k <= moved; k++) {
                out[16 - k] = out[colonp + moved - k];
                out[colonp + moved - k] = 0;
            }
            tp = 16;
        }
        return tp == 16 ? Optional.of(out) : Optional.empty();
    }

    /** inet_pton(AF_INET): exactly four decimal octets, no leading zeros. */
    private static Optional<byte[]> inetPton4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        byte[] out = new byte[4];
        for (int k = 0; k < 4; k++) {
            String p = parts[k];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(HostLiteral::isDigit)
                    || (p.length() > 1 && p.charAt(0) == '0')) {
                return Optional.empty();
            }
            int value = Integer.parseInt(p);
            if (value > 255) {
                return Optional.empty();
            }
            out[k] = (byte) value;
        }
        return Optional.of(out);
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static String dotted(byte[] b) {
        return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
    }

    /** glibc's inet_ntop(AF_INET6): the longest run of two or more zero groups as "::", IPv4-mapped as a quad. */
    static String ntop6(byte[] b) {
        int[] words = new int[8];
        for (int k = 0; k < 8; k++) {
            words[k] = ((b[2 * k] & 0xFF) << 8) | (b[2 * k + 1] & 0xFF);
        }
        int bestBase = -1;
        int bestLen = 0;
        int curBase = -1;
        int curLen = 0;
        for (int k = 0; k < 8; k++) {
            if (words[k] == 0) {
                if (curBase == -1) {
                    curBase = k;
                    curLen = 1;
                } else {
                    curLen++;
                }
            } else if (curBase != -1) {
                if (bestBase == -1 || curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase != -1 && (bestBase == -1 || curLen > bestLen)) {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestBase != -1 && bestLen < 2) {
            bestBase = -1;
        }
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < 8; k++) {
            if (bestBase != -1 && k >= bestBase && k < bestBase + bestLen) {
                if (k == bestBase) {
                    s.append(':');
                }
                continue;
            }
            if (k != 0) {
                s.append(':');
            }
            if (k == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 7 && words[7] != 0x0001)
                    || (bestLen == 5 && words[5] == 0xffff))) {
                s.append(dotted(new byte[]{b[12], b[13], b[14], b[15]}));
                return s.toString();
            }
            s.append(Integer.toHexString(words[k]));
        }
        if (bestBase != -1 && bestBase + bestLen == 8) {
            s.append(':');
        }
        return s.toString().toLowerCase(Locale.ROOT);
    }
}
