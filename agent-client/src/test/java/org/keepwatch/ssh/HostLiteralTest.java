package org.keepwatch.ssh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Numeric host names as glibc's getaddrinfo(AI_NUMERICHOST) reads them (ssh's reading), checked against the real
 * getaddrinfo and getnameinfo (through Python's socket module, a thin layer over them) on chosen corner cases and
 * on random strings of the characters that matter.
 */
class HostLiteralTest {

    private static final List<String> CORNERS = List.of("010.0.0.1", "0x7f.1", "0X7F.0.0.1", "1234", "127.1",
            "10.0.0.010", "08.1.1.1", "1.2.3.256", "1.2.3.4.", ".1.2.3", "1..2", "0x", "0x.1", "00x1.1.1.1",
            "4294967295", "4294967296", "0xffffffff", "0x100000000", "1.16777215", "1.16777216", "1.2.65535",
            "1.2.65536", "0377.0377.0377.0377", "0400.0.0.1", "1.2.3.4 ", " 1.2.3.4", "+1.2.3.4", "1.2.3.0x",
            "::", "::1", "1::", "::ffff:1.2.3.4", "::FFFF:010.0.0.1", "::ffff:1.2.3", "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1::2::3", "12345::", "fe80::1",
            "FE80:0:0:0:0:0:0:1", "0:0:0:0:0:0:0:0", "1:0:0:2:0:0:0:3", "1:0:0:2:0:0:3:4", "::0.0.0.1",
            "::1.2.3.4", "::0:1.2.3.4", "::ffff:0.0.0.0", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
            ":1::", "1:", ":", "", "a.b.c.d", "example.com", "1.2.3.4:22", "[::1]");

    @Test
    void readsNumericHostsExactlyAsGetaddrinfo(@TempDir Path dir) throws Exception {
        Set<String> inputs = new LinkedHashSet<>(CORNERS);
        Random random = new Random(13);
        String alphabet = "0123456789.xXabcdefF:";
        while (inputs.size() < CORNERS.size() + 3000) {
            StringBuilder s = new StringBuilder();
            int length = 1 + random.nextInt(14);
            for (int i = 0; i < length; i++) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            inputs.add(s.toString());
        }
        Map<String, Optional<String>> glibc = getaddrinfo(dir, new ArrayList<>(inputs));
        for (String input : inputs) {
            Optional<String> ours = HostLiteral.address(input).map(bytes -> {
                try {
                    return bytes.length == 4 ? InetAddress.getByAddress(bytes).getHostAddress()
                            : HostLiteral.ntop6(bytes);
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(ours).as("\"%s\"", input).isEqualTo(glibc.get(input));
        }
    }

    @Test
    void canonicalFormIsSshsAndKeepsTheWrittenCaseWhenOnlyCaseDiffers() {
        assertThat(HostLiteral.canonical("010.0.0.1")).contains("8.0.0.1");
        assertThat(HostLiteral.canonical("::FFFF:1.2.3.4")).contains("::FFFF:1.2.3.4");
        assertThat(HostLiteral.canonical("FE80:0:0::1")).contains("fe80::1");
        assertThat(HostLiteral.canonical("router1.example")).isEmpty();
    }

    @Test
    void namesJavaWouldReadAsAddressesButSshWouldNotAreAmbiguous() {
        assertThat(HostLiteral.ambiguity("08.1.1.1")).hasValueSatisfying(why -> assertThat(why).contains("08.1.1.1"));
        assertThat(HostLiteral.ambiguity("127.0.0.08")).isPresent();
        assertThat(HostLiteral.ambiguity("1.2.3.256")).isPresent();
        assertThat(HostLiteral.ambiguity("[::1]")).isPresent();
        assertThat(HostLiteral.ambiguity("010.0.0.1")).isEmpty();
        assertThat(HostLiteral.ambiguity("router1.example")).isEmpty();
        assertThat(HostLiteral.ambiguity("fe80::1")).isEmpty();
    }

    /** Each input's numeric form per getaddrinfo(AI_NUMERICHOST) and getnameinfo(NI_NUMERICHOST), or empty. */
    private static Map<String, Optional<String>> getaddrinfo(Path dir, List<String> inputs) throws Exception {
        Path in = Files.write(dir.resolve("inputs"), inputs.stream().map(s -> s.replace("\n", "")).toList());
        Path script = Files.writeString(dir.resolve("gai.py"), String.join("\n",
                "import socket, sys",
                "for line in open(sys.argv[1], encoding='utf-8').read().split('\\n')[:-1]:",
                "    try:",
                "        infos = socket.getaddrinfo(line, None, 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)",
                "        host = socket.getnameinfo(infos[0][4], socket.NI_NUMERICHOST)[0]",
                "        print('=' + host)",
                "    except (socket.gaierror, UnicodeError, ValueError):",
                "        print('-')",
                ""));
        OpenSsh.Result result = run(List.of("python3", script.toString(), in.toString()));
        String[] lines = result.stdout().split("\n");
        assertThat(lines).hasSize(inputs.size());
        Map<String, Optional<String>> out = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            out.put(inputs.get(i), lines[i].startsWith("=") ? Optional.of(lines[i].substring(1)) : Optional.empty());
        }
        return out;
    }

    private static OpenSsh.Result run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        String stdout = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        String stderr = new String(process.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(stderr).isZero();
        return new OpenSsh.Result(0, stdout, stderr);
    }
}
