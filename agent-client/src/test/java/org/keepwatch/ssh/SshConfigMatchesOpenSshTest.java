package org.keepwatch.ssh;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The resolution must agree with OpenSSH's own ({@code ssh -F FILE -G host}) on every field it supports, for a
 * corpus of configs that exercise the corners of readconf.c.
 */
class SshConfigMatchesOpenSshTest {

    /** The ssh -G keywords this resolver supports. */
    private static final List<String> FIELDS = List.of("user", "hostname", "port", "identityfile", "identitiesonly",
            "proxyjump", "userknownhostsfile", "globalknownhostsfile", "stricthostkeychecking", "connecttimeout",
            "serveraliveinterval", "serveralivecountmax", "hashknownhosts");

    @TempDir
    static Path dir;
    private static final SshEnvironment ENV = SshEnvironment.ofCurrentUser();

    @BeforeAll
    static void includedFiles() throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        // Sorted glob order: 10-first wins over 20-second for the same option.
        Files.writeString(dir.resolve("conf.d/20-second.conf"), "Host inc-*\n  User second\n  Port 2020\n");
        Files.writeString(dir.resolve("conf.d/10-first.conf"),
                "Host inc-*\n  User first\n  IdentityFile ~/.ssh/inc_%n\nHost other\n  Port 1111\n");
        Files.writeString(dir.resolve("conf.d/.hidden.conf"), "Host *\n  User hidden\n");
        Files.writeString(dir.resolve("conf.d/notconf.txt"), "Host *\n  User txt\n");
        // Host lines inside an included file change what is active; after the Include the includer's state returns.
        Files.writeString(dir.resolve("scoped.conf"), "Port 3333\nHost nothing-matches-this\n  User never\n");
        Files.writeString(dir.resolve("nested.conf"), "Include " + dir.resolve("conf.d") + "/*.conf\n");
    }

    private static Path config(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static void assertSameAsOpenSsh(Path config, String... hosts) throws SshException {
        SshConfig ours = SshConfig.fromFile(config, ENV);
        for (String host : hosts) {
            Map<String, List<String>> expected = supported(OpenSsh.sshG(config, host));
            assertThat(render(ours.resolve(host))).as("%s for %s", config.getFileName(), host).isEqualTo(expected);
        }
    }

    private static Map<String, List<String>> supported(Map<String, List<String>> sshG) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String field : FIELDS) {
            if (sshG.containsKey(field)) {
                out.put(field, sshG.get(field));
            }
        }
        return out;
    }

    /** Our target in ssh -G's words. */
    static Map<String, List<String>> render(SshTarget t) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        out.put("user", List.of(t.user()));
        out.put("hostname", List.of(t.hostName()));
        out.put("port", List.of(Integer.toString(t.port())));
        out.put("identityfile", t.identityFiles().stream().map(IdentityFile::spec).collect(Collectors.toList()));
        out.put("identitiesonly", List.of(t.identitiesOnly() ? "yes" : "no"));
        t.proxyJumpSpec().ifPresent(spec -> out.put("proxyjump", List.of(spec)));
        out.put("userknownhostsfile", List.of(join(t.userKnownHostsFiles())));
        out.put("globalknownhostsfile", List.of(join(t.globalKnownHostsFiles())));
        out.put("stricthostkeychecking", List.of(t.strictHostKeyChecking().sshGName()));
        out.put("connecttimeout", List.of(t.connectTimeout().map(d -> Long.toString(d.toSeconds())).orElse("none")));
        out.put("serveraliveinterval", List.of(Long.toString(t.serverAliveInterval().toSeconds())));
        out.put("serveralivecountmax", List.of(Integer.toString(t.serverAliveCountMax())));
        out.put("hashknownhosts", List.of(t.hashKnownHosts() ? "yes" : "no"));
        Map<String, List<String>> ordered = new LinkedHashMap<>();
        for (String field : FIELDS) {
            if (out.containsKey(field)) {
                ordered.put(field, out.get(field));
            }
        }
        return ordered;
    }

    private static String join(List<Path> paths) {
        return paths.stream().map(Path::toString).collect(Collectors.joining(" "));
    }

    @Test
    void noConfigGivesOpenSshDefaults() throws Exception {
        assertSameAsOpenSsh(config("empty", ""), "plain", "MixedCase.Example", "10.1.2.3");
    }

    @Test
    void firstObtainedValueWinsAndIdentityFilesAccumulate() throws Exception {
        Path c = config("first-wins", String.join("\n",
                "# comment line",
                "Host web*",
                "    HostName %h.example.com",
                "    User alice",
                "    IdentityFile ~/.ssh/web_key",
                "Host web1",
                "    User bob",
                "    Port 2201",
                "    IdentityFile ~/.ssh/web1_key",
                "    IdentityFile ~/.ssh/web_key",
                "Host *",
                "    Port 2200",
                "    User fallback",
                "    HostName ignored.example",
                "    IdentityFile ~/.ssh/everyone",
                "    ServerAliveInterval 15",
                "    ServerAliveCountMax 4",
                ""));
        assertSameAsOpenSsh(c, "web1", "web2", "WEB1", "db", "web");
    }

    @Test
    void patternsWildcardsAndNegation() throws Exception {
        Path c = config("negation", String.join("\n",
                "Host *.prod !bastion.prod",
                "  User produser",
                "Host !*.test ?b?",
                "  Port 2022",
                "Host bastion.* a?c",
                "  IdentitiesOnly yes",
                "  ConnectTimeout 7",
                "Host * !*",
                "  User never",
                "Host *",
                "  StrictHostKeyChecking yes",
                ""));
        assertSameAsOpenSsh(c, "app.prod", "bastion.prod", "abc", "abc.test", "aXc", "x.test", "bab", "abcd");
    }

    @Test
    void syntaxVariantsQuotesEqualsSignsCaseAndComments() throws Exception {
        Path c = config("syntax", String.join("\n",
                "HOST=quoted",
                "\tidentityFile \"~/.ssh/key with spaces\"",
                "  IdentityFile='/abs/single quoted'",
                "  Port = 2345",
                "  USER=\"carol\" # a trailing comment",
                "  ConnectTimeout 1m30s",
                "  ServerAliveInterval 2m",
                "  StrictHostKeyChecking accept-new",
                "  HashKnownHosts yes",
                "Host \"second host\" other",
                "  User dave",
                "  StrictHostKeyChecking off",
                "   # indented comment",
                ""));
        assertSameAsOpenSsh(c, "quoted", "other", "none");
    }

    @Test
    void includeWithGlobsScopesAndRelativePaths() throws Exception {
        // A relative Include is anchored in ~/.ssh; climbing out of it reaches the temp dir without touching ~/.ssh.
        // As many ".." as ~/.ssh is deep: /root/.ssh for root, /home/NAME/.ssh for an ordinary user.
        String relative = ".." + "/..".repeat(ENV.sshDirectory().getNameCount() - 1) + dir.resolve("scoped.conf");
        Path c = config("includes", String.join("\n",
                "Include " + dir.resolve("conf.d") + "/*.conf",
                "Include " + dir + "/does-not-exist-*.conf",
                "Host scoped",
                "  Include " + relative,
                "  User scopeduser",
                "Host inside-unmatched",
                "  Include " + dir.resolve("nested.conf"),
                "Host *",
                "  User last",
                ""));
        assertThat(Path.of(ENV.sshDirectory() + "/" + relative).normalize()).isEqualTo(dir.resolve("scoped.conf"));
        assertSameAsOpenSsh(c, "inc-a", "other", "scoped", "inside-unmatched", "plain");
    }

    @Test
    void matchBlocksResolveAsOpenSshDoes() throws Exception {
        String me = ENV.localUser();
        Path c = config("match", String.join("\n",
                "Match host never-matches-anything",
                "  User matched",
                "Host m1",
                "  Port 2001",
                "Match user nobody-at-all",
                "  Port 9999",
                "Match originalhost m2,M3 !user bob",
                "  StrictHostKeyChecking yes",
                "  UserKnownHostsFile /tmp/kh_match_%h",
                "Host alias10",
                "  HostName 10.0.0.5",
                "Match host 10.*",
                "  User tenner",
                "Match host *.prod !host db.prod",
                "  ProxyJump bastion.prod",
                "Host db.prod",
                "  User dba",
                "Match user dba",
                "  StrictHostKeyChecking accept-new",
                "Match localuser " + me + " host web*",
                "  IdentityFile ~/.ssh/web_local",
                "Match !localuser " + me,
                "  Port 1",
                "Match user Everyone",
                "  Port 3",
                "Match all",
                "  ConnectTimeout 9",
                "Host *",
                "  User everyone",
                "Match user everyone",
                "  HashKnownHosts yes",
                ""));
        assertSameAsOpenSsh(c, "m1", "m2", "m3", "M3", "app.prod", "db.prod", "web1", "WEB2", "alias10");
        assertThat(SshConfig.fromFile(c, ENV).resolve("m2").strictHostKeyChecking())
                .isEqualTo(StrictHostKeyChecking.YES);
    }

    /** readconf.c's two passes: Match final asks for a second reading against the resolved host name. */
    @Test
    void matchFinalReadsTheConfigAgainForTheResolvedHostName() throws Exception {
        Path c = config("final", String.join("\n",
                "Host short",
                "  HostName Target.Example",
                "Match final host target.example",
                "  User finaluser",
                "Host target.example",
                "  Port 2222",
                "Match canonical host short",
                "  IdentityFile ~/.ssh/never",
                "Match !final originalhost short",
                "  ConnectTimeout 4",
                "Match originalhost short final",
                "  UserKnownHostsFile ~/.ssh/final_kh",
                "  StrictHostKeyChecking yes",
                "Match final",
                "  ServerAliveInterval 33",
                ""));
        assertSameAsOpenSsh(c, "short", "target.example", "other.example");
        SshTarget resolved = SshConfig.fromFile(c, ENV).resolve("short");
        assertThat(resolved.user()).isEqualTo("finaluser");
        assertThat(resolved.port()).isEqualTo(2222);
        assertThat(resolved.strictHostKeyChecking()).isEqualTo(StrictHostKeyChecking.YES);
        // Without a final Match anywhere, Host lines never see the resolved name.
        Path noFinal = config("nofinal", "Host short\n  HostName target.example\nHost target.example\n  Port 2222\n");
        assertSameAsOpenSsh(noFinal, "short");
    }

    @Test
    void aMatchExecWhoseOutcomeMattersRefusesTheHostAndNeverRunsTheCommand() throws Exception {
        Path marker = dir.resolve("exec-ran");
        Path c = config("exec", String.join("\n",
                "Host gw",
                "  HostName gw.example",
                "Match host gw.example exec \"touch " + marker + "\"",
                "  StrictHostKeyChecking no",
                "Match host other.example exec \"touch " + marker + "\"",
                "  Port 2200",
                "Host other.example",
                "  Port 2200",
                "Match host never.example exec \"touch " + marker + "\"",
                "  User never",
                "Host *",
                "  StrictHostKeyChecking yes",
                ""));
        SshConfig config = SshConfig.fromFile(c, ENV);
        assertThatThrownBy(() -> config.resolve("gw"))
                .isInstanceOf(SshException.BadConfig.class)
                .hasMessageContaining(c.toString()).hasMessageContaining("line 3")
                .hasMessageContaining("Match exec is not evaluated by Keepwatch")
                .hasMessageContaining("strictHostKeyChecking");
        // Whatever the command says, other.example gets port 2200: it stands, with a note.
        SshTarget other = config.resolve("other.example");
        assertThat(other.port()).isEqualTo(2200);
        assertThat(other.notes()).anySatisfy(n -> assertThat(n).contains("line 5").contains("was not run"));
        // An exec after a criterion that failed is not run by ssh either: nothing to decide, no note.
        assertThat(config.resolve("plain.example").notes()).isEmpty();
        assertThat(marker).doesNotExist();
    }

    @Test
    void malformedMatchLinesStopSshAndKeepwatchAlike() throws Exception {
        for (String line : List.of("Match host", "Match colour blue", "Match all host x",
                "Match host a b c all")) {
            Path c = config("badmatch", line + "\n  User x\n");
            assertThat(OpenSsh.run("ssh", "-F", c.toString(), "-G", "h").exitCode()).as(line).isNotZero();
            assertThatThrownBy(() -> SshConfig.fromFile(c, ENV).resolve("h")).as(line)
                    .isInstanceOf(SshException.BadConfig.class).hasMessageContaining("line 1")
                    .hasMessageContaining("Bad Match condition");
        }
    }

    @Test
    void numericHostNamesAreReadAsSshReadsThem() throws Exception {
        Path c = config("numeric", String.join("\n",
                "Host oct",
                "  HostName 010.0.0.1",
                "Host 8.0.0.1",
                "  User eight",
                "Host 010.0.0.1",
                "  User ten",
                "Match host 8.0.0.1",
                "  Port 88",
                "Match host 010.0.0.1",
                "  Port 10",
                ""));
        assertSameAsOpenSsh(c, "oct", "010.0.0.1", "0x7f.1", "0X7F.0.0.1", "1234", "127.1", "10.0.0.010",
                "08.1.1.1", "1.2.3.256", "::FFFF:1.2.3.4", "FE80:0:0::1", "2001:DB8::1", "::ffff:0.0.0.1");
        assertThat(SshConfig.fromFile(c, ENV).resolve("oct").hostName()).isEqualTo("8.0.0.1");
    }

    @Test
    void unknownKeywordsRefuseTheHostAsSshRefusesToStart() throws Exception {
        Path c = config("misspelt", String.join("\n",
                "Host web",
                "  StrictHostKeyCheking yes",
                ""));
        assertThat(OpenSsh.run("ssh", "-F", c.toString(), "-G", "web").stderr())
                .contains("Bad configuration option: stricthostkeycheking");
        assertThatThrownBy(() -> SshConfig.fromFile(c, ENV).resolve("web"))
                .isInstanceOf(SshException.BadConfig.class)
                .hasMessageContaining(c.toString()).hasMessageContaining("line 2")
                .hasMessageContaining("Bad configuration option: stricthostkeycheking");
        // In an inactive block too: ssh reads every line's keyword.
        assertThatThrownBy(() -> SshConfig.fromFile(c, ENV).resolve("other"))
                .isInstanceOf(SshException.BadConfig.class);
    }

    @Test
    void ignoreUnknownAppliesOnlyWhereSshAppliesIt() throws Exception {
        Path c = config("ignoreunknown", String.join("\n",
                "Host lenient",
                "  IgnoreUnknown UseKeychain,Foo*",
                "Host *",
                "  UseKeychain yes",
                "  FooBar 1",
                "  # known to OpenSSH although deprecated or unsupported: no error",
                "  Cipher blowfish",
                "  RSAAuthentication yes",
                "  Protocol 2",
                ""));
        assertSameAsOpenSsh(c, "lenient");
        // IgnoreUnknown is an option like any other: set only where its block is active.
        assertThat(OpenSsh.run("ssh", "-F", c.toString(), "-G", "strict").exitCode()).isNotZero();
        assertThatThrownBy(() -> SshConfig.fromFile(c, ENV).resolve("strict"))
                .isInstanceOf(SshException.BadConfig.class).hasMessageContaining("line 4")
                .hasMessageContaining("usekeychain");
    }

    /** Every keyword this resolver takes for OpenSSH 9.2's is one the installed ssh knows. */
    @Test
    void theKeywordTableIsOpenSshs() throws Exception {
        Path ours = Path.of("src/main/java/org/keepwatch/ssh/SshKeywords.java");
        String source = Files.readString(ours);
        String table = source.substring(source.indexOf("OPENSSH_9_2 = Set.of("), source.indexOf("NEWER_THAN_9_2 ="));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([a-z0-9]+)\"").matcher(table);
        List<String> keywords = new ArrayList<>();
        while (m.find()) {
            keywords.add(m.group(1));
        }
        assertThat(keywords).hasSizeGreaterThan(130);
        StringBuilder text = new StringBuilder("Host never-this-host\n");
        keywords.stream().filter(k -> !k.equals("include") && !k.equals("host") && !k.equals("match"))
                .forEach(k -> text.append("  ").append(k).append(" x\n"));
        OpenSsh.Result result = OpenSsh.run("ssh", "-F", config("all-keywords", text.toString()).toString(), "-G",
                "h");
        assertThat(result.stderr()).doesNotContain("Bad configuration option");
        for (String newer : SshKeywords.NEWER_THAN_9_2) {
            assertThat(keywords).doesNotContain(newer);
        }
    }

    @Test
    void canonicalizeHostnameReadsTheConfigAgainAndRefusesWhatNeedsDns() throws Exception {
        Path c = config("canon", String.join("\n",
                "CanonicalizeHostname yes",
                "Host a",
                "  HostName B.Example.Net",
                "Host b.example.net",
                "  User canon",
                "Host viajump",
                "  ProxyJump j.example",
                "  CanonicalDomains example.com",
                "Host viajump.example.com",
                "  User never",
                "Match canonical host b.example.net",
                "  Port 2022",
                ""));
        assertSameAsOpenSsh(c, "a", "viajump", "010.0.0.1");
        assertThat(SshConfig.fromFile(c, ENV).resolve("a").user()).isEqualTo("canon");

        Path dns = config("canon-dns", "CanonicalizeHostname yes\nCanonicalDomains example.com\n");
        assertThatThrownBy(() -> SshConfig.fromFile(dns, ENV).resolve("web"))
                .isInstanceOf(SshException.BadConfig.class).hasMessageContaining("line 1")
                .hasMessageContaining("web.example.com").hasMessageContaining("DNS");
        // More dots than CanonicalizeMaxDots: ssh leaves the name alone, so does Keepwatch.
        assertSameAsOpenSsh(dns, "web.example.net");

        Path noFallback = config("canon-nofallback", "CanonicalizeHostname yes\nCanonicalizeFallbackLocal no\n");
        assertThat(OpenSsh.run("ssh", "-F", noFallback.toString(), "-G", "web").exitCode()).isNotZero();
        assertThatThrownBy(() -> SshConfig.fromFile(noFallback, ENV).resolve("web"))
                .isInstanceOf(SshException.BadConfig.class).hasMessageContaining("Could not resolve host");
    }

    @Test
    void revokedHostKeysIsRefusedRatherThanIgnored() throws Exception {
        Path c = config("revoked", "Host r\n  RevokedHostKeys ~/.ssh/revoked\n");
        assertThatThrownBy(() -> SshConfig.fromFile(c, ENV).resolve("r"))
                .isInstanceOf(SshException.BadConfig.class).hasMessageContaining("line 2")
                .hasMessageContaining("@revoked");
        assertThat(SshConfig.fromFile(c, ENV).resolve("other").notes()).isEmpty();
    }

    @Test
    void keywordsThatBearOnTrustButAreNotAppliedAreNoted() throws Exception {
        Path c = config("noted", "Host n\n  HostKeyAlias other\n  CheckHostIP yes\n");
        assertThat(SshConfig.fromFile(c, ENV).resolve("n").notes()).containsExactly(
                "hostkeyalias at " + c + " line 2 is not applied by Keepwatch",
                "checkhostip at " + c + " line 3 is not applied by Keepwatch");
    }

    @Test
    void proxyJumpForms() throws Exception {
        Path c = config("jumps", String.join("\n",
                "Host direct",
                "  ProxyJump none",
                "Host chain",
                "  ProxyJump jump1,bob@jump2:2222,ssh://carol@jump3:2200",
                "Host v6",
                "  ProxyJump [::1]:2022",
                "Host *",
                "  ProxyJump default-bastion",
                ""));
        assertSameAsOpenSsh(c, "direct", "chain", "v6", "anything");
        SshTarget chain = SshConfig.fromFile(c, ENV).resolve("chain");
        assertThat(chain.proxyJump()).containsExactly(
                new JumpHost(Optional.empty(), "jump1", OptionalInt.empty()),
                new JumpHost(Optional.of("bob"), "jump2", OptionalInt.of(2222)),
                new JumpHost(Optional.of("carol"), "jump3", OptionalInt.of(2200)));
    }

    @Test
    void knownHostsFilesExpandTokensLikeOpenSsh() throws Exception {
        Path c = config("tokens", String.join("\n",
                "Host tok*",
                "  HostName Real-%h.Example",
                "  User remote",
                "  Port 2022",
                "  UserKnownHostsFile ~/.ssh/kh_%h_%p %d/kh_%r_%u /tmp/kh_%n_%%",
                "  GlobalKnownHostsFile /etc/kh_%h",
                "  IdentityFile ~/.ssh/id_%h_%r",
                ""));
        assertSameAsOpenSsh(c, "tokA", "tok-b");
        SshTarget t = SshConfig.fromFile(c, ENV).resolve("tokA");
        assertThat(t.identityFiles().get(0).path())
                .isEqualTo(ENV.home().resolve(".ssh/id_real-toka.example_remote"));
    }

    @Test
    void eachHopOfAJumpChainResolvesAsOpenSshsOwnProxyCommandWould() throws Exception {
        Path c = config("route", String.join("\n",
                "Host target",
                "  HostName 10.0.0.9",
                "  ProxyJump first,ops@second:2200",
                "Host first",
                "  HostName first.example",
                "  User firstuser",
                "  ProxyJump zeroth",
                "Host second",
                "  User ignored-by-command-line",
                "  ProxyJump ignored-because-of-J",
                "Host zeroth",
                "  Port 2000",
                ""));
        List<SshTarget> route = SshConfig.fromFile(c, ENV).route("target");
        assertThat(route).extracting(SshTarget::alias).containsExactly("zeroth", "first", "second", "target");
        // ssh.c runs "ssh -l ops -p 2200 -J first -W [%h]:%p second" for the last hop before the target.
        assertThat(render(route.get(2))).isEqualTo(supported(OpenSsh.sshG(c, "second", "-l", "ops", "-p", "2200",
                "-J", "first")));
        assertThat(render(route.get(1))).isEqualTo(supported(OpenSsh.sshG(c, "first")));
        assertThat(render(route.get(0))).isEqualTo(supported(OpenSsh.sshG(c, "zeroth")));
        assertThat(render(route.get(3))).isEqualTo(supported(OpenSsh.sshG(c, "target")));
    }

    @Test
    void aProxyJumpLoopIsAnErrorNotAHang() throws Exception {
        Path c = config("loop", "Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n");
        assertThatThrownBy(() -> SshConfig.fromFile(c, ENV).route("a"))
                .isInstanceOf(SshException.BadConfig.class).hasMessageContaining("loop");
    }

    @Test
    void badValuesAreReportedWithFileAndLine() throws Exception {
        Path c = config("bad", "Host x\n  Port 99999\n");
        assertThatThrownBy(() -> SshConfig.fromFile(c, ENV))
                .isInstanceOf(SshException.BadConfig.class);
        assertThatThrownBy(() -> SshConfig.fromFile(c, ENV).resolve("x"))
                .isInstanceOf(SshException.BadConfig.class)
                .hasMessageContaining("line 2").hasMessageContaining("99999");
        // OpenSSH refuses the same file.
        assertThat(OpenSsh.run("ssh", "-F", c.toString(), "-G", "x").exitCode()).isNotZero();

        Path token = config("badtoken", "Host x\n  IdentityFile ~/.ssh/id_%Z\n");
        assertThatThrownBy(() -> SshConfig.fromFile(token, ENV).resolve("x"))
                .isInstanceOf(SshException.BadConfig.class).hasMessageContaining("%Z");
    }

    @Test
    void theUsersOwnConfigAndTheSystemConfigResolveAsPlainSshDoes() throws Exception {
        SshConfig ours = SshConfig.load(ENV);
        for (String host : List.of("some-router", "10.0.0.1")) {
            OpenSsh.Result plain = OpenSsh.run("ssh", "-G", host);
            assertThat(plain.exitCode()).as(plain.stderr()).isZero();
            Map<String, List<String>> expected = new LinkedHashMap<>();
            for (String line : plain.stdout().split("\n")) {
                int space = line.indexOf(' ');
                if (space > 0 && FIELDS.contains(line.substring(0, space))) {
                    expected.computeIfAbsent(line.substring(0, space), k -> new ArrayList<>()).add(line.substring(space + 1));
                }
            }
            assertThat(render(ours.resolve(host))).isEqualTo(supported(expected));
        }
    }

    @Test
    void identityAgentChoosesTheAgentSocket() throws Exception {
        SshEnvironment withAgent = ENV.withAgentSocket(Optional.of(Path.of("/run/agent.sock")));
        Path c = config("agent", String.join("\n",
                "Host none", "  IdentityAgent none",
                "Host own", "  IdentityAgent ~/.ssh/agent-%r.sock", "  User ops",
                "Host env", "  IdentityAgent SSH_AUTH_SOCK", ""));
        SshConfig config = SshConfig.fromFile(c, withAgent);
        assertThat(config.resolve("none").agentSocket()).isEmpty();
        assertThat(config.resolve("own").agentSocket()).contains(ENV.home().resolve(".ssh/agent-ops.sock"));
        assertThat(config.resolve("env").agentSocket()).contains(Path.of("/run/agent.sock"));
        assertThat(config.resolve("other").agentSocket()).contains(Path.of("/run/agent.sock"));
    }

    @Test
    void proxyCommandIsResolvedButRefusedWhenConnecting() throws Exception {
        Path c = config("proxycommand", "Host pc\n  ProxyCommand nc %h %p\nHost pj\n  ProxyJump j\n  ProxyCommand nc\n");
        SshConfig config = SshConfig.fromFile(c, ENV);
        assertThat(config.resolve("pc").proxyCommand()).contains("nc %h %p");
        // Whichever of ProxyJump and ProxyCommand comes first wins.
        assertThat(config.resolve("pj").proxyCommand()).isEmpty();
        assertThatThrownBy(() -> new SshConnector().connect(config, "pc", SshPrompts.BATCH))
                .isInstanceOf(SshException.Unsupported.class).hasMessageContaining("ProxyJump");
    }

    @Test
    void splitLineFollowsArgvSplit() throws Exception {
        List<String> words = new ArrayList<>(SshConfigParser.splitLine(
                "  IdentityFile=\"a b\" 'c d' e\\\"f #comment", Path.of("x"), 1));
        assertThat(words).containsExactly("IdentityFile", "a b", "c d", "e\"f");
    }
}
