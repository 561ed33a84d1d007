package org.keepwatch.ssh;

import org.keepwatch.ssh.SshConfigParser.Directive;
import org.keepwatch.ssh.SshConfigParser.Entry;
import org.keepwatch.ssh.SshConfigParser.Include;
import org.keepwatch.ssh.SshConfigParser.ParsedFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * ssh_config resolution as OpenSSH's readconf.c does it: files in order (the user's, then the system's), Host
 * lines switching sections on and off by pattern (with negation), Include in place, the first value obtained
 * for each option winning (IdentityFile accumulating), then OpenSSH's defaults and expansions.
 *
 * <p>{@code Match} lines are evaluated as readconf.c does (host, originalhost, user, localuser, all, canonical and
 * final with its second pass); {@code Match exec} commands are never run (see {@link MatchExecBranches}). Unknown
 * keywords refuse the host as they stop ssh, unless IgnoreUnknown names them. CanonicalizeHostname is followed as
 * far as it needs no DNS; where ssh would ask DNS, the host is refused.
 */
public final class SshConfig {

    /** OpenSSH's default identities, in its order, when the config names none. */
    private static final List<String> DEFAULT_IDENTITIES = List.of("id_rsa", "id_ecdsa", "id_ecdsa_sk",
            "id_ed25519", "id_ed25519_sk", "id_xmss", "id_dsa");
    private static final int MAX_IDENTITY_FILES = 100;
    private static final int MAX_JUMP_DEPTH = 16;
    /** CanonicalizeHostname's values. */
    private enum Canonicalize {
        NO("no"), YES("yes"), ALWAYS("always");

        final String word;

        Canonicalize(String word) {
            this.word = word;
        }

        static Optional<Canonicalize> parse(String text) {
            switch (text.toLowerCase(Locale.ROOT)) {
                case "yes": case "true": return Optional.of(YES);
                case "no": case "false": return Optional.of(NO);
                case "always": return Optional.of(ALWAYS);
                default: return Optional.empty();
            }
        }
    }

    private static final Pattern TIME_PART = Pattern.compile("(\\d+)([sSmMhHdDwW]?)");

    private final List<ParsedFile> files;
    private final SshEnvironment environment;

    private SshConfig(List<ParsedFile> files, SshEnvironment environment) throws SshException.BadConfig {
        this.files = List.copyOf(files);
        this.environment = environment;
        for (ParsedFile file : files) {
            validate(file.entries());
        }
    }

    /** OpenSSH rejects a bad value anywhere in the file, whichever host is asked for. */
    private void validate(List<Entry> entries) throws SshException.BadConfig {
        for (Entry entry : entries) {
            if (entry instanceof Include) {
                for (ParsedFile included : ((Include) entry).files()) {
                    validate(included.entries());
                }
            } else {
                Directive d = (Directive) entry;
                if (d.keyword().equals("match")) {
                    // A malformed Match line stops ssh for every host ("Bad Match condition").
                    MatchCondition.parse(d);
                } else {
                    new Settings().apply(d);
                }
            }
        }
    }

    /** What plain {@code ssh host} reads: ~/.ssh/config, then /etc/ssh/ssh_config. */
    public static SshConfig load(SshEnvironment environment) throws SshException.BadConfig {
        return load(environment, Path.of("/etc/ssh/ssh_config"));
    }

    /** The user's config, then the given system file (tests pass another system file). */
    public static SshConfig load(SshEnvironment environment, Path systemConfig) throws SshException.BadConfig {
        ParsedFile user = new SshConfigParser(environment.sshDirectory(), environment.home())
                .parse(environment.sshDirectory().resolve("config"));
        ParsedFile system = new SshConfigParser(systemConfig.toAbsolutePath().getParent(), environment.home())
                .parse(systemConfig);
        return new SshConfig(List.of(user, system), environment);
    }

    /** What {@code ssh -F file host} reads: that file alone, as a user config. */
    public static SshConfig fromFile(Path file, SshEnvironment environment) throws SshException.BadConfig {
        ParsedFile parsed = new SshConfigParser(environment.sshDirectory(), environment.home()).parse(file);
        return new SshConfig(List.of(parsed), environment);
    }

    /** No config at all ({@code ssh -F /dev/null}): OpenSSH's defaults. */
    public static SshConfig none(SshEnvironment environment) throws SshException.BadConfig {
        return new SshConfig(List.of(), environment);
    }

    public SshEnvironment environment() {
        return environment;
    }

    /**
     * The concrete names on Host lines, in file order and once each: what {@code ssh NAME} can be given, as an
     * importer lists them. Patterns ({@code *}, {@code ?}) and negations ({@code !name}) name no host of their own.
     */
    public List<String> hostAliases() {
        LinkedHashSet<String> aliases = new LinkedHashSet<>();
        for (ParsedFile file : files) {
            collectAliases(file.entries(), aliases);
        }
        return List.copyOf(aliases);
    }

    private static void collectAliases(List<Entry> entries, Set<String> aliases) {
        for (Entry entry : entries) {
            if (entry instanceof Include include) {
                include.files().forEach(f -> collectAliases(f.entries(), aliases));
            } else if (entry instanceof Directive d && d.keyword().equals("host")) {
                d.args().stream().filter(a -> !a.startsWith("!") && a.indexOf('*') < 0 && a.indexOf('?') < 0)
                        .forEach(aliases::add);
            }
        }
    }

    /** The target for {@code host} as {@code ssh -G host} shows it. */
    public SshTarget resolve(String host) throws SshException.BadConfig {
        return resolve(host, Optional.empty(), OptionalInt.empty(), Optional.empty());
    }

    /**
     * The hosts to connect to in order: the jump hosts of the ProxyJump chain, first hop first, then {@code host}.
     * Like OpenSSH, for {@code ProxyJump a,b} host b is reached through a (b's own ProxyJump is overridden) and a is
     * resolved on its own, so a's config may give it a ProxyJump of its own.
     */
    public List<SshTarget> route(String host) throws SshException.BadConfig {
        List<SshTarget> route = new ArrayList<>();
        addRoute(route, host, Optional.empty(), OptionalInt.empty(), Optional.empty(), 0);
        return List.copyOf(route);
    }

    /**
     * What {@code ssh -l USER -p PORT -J JUMPS -i KEY -o UserKnownHostsFile=FILE host} gives on the command
     * line: each present value wins over the config, as OpenSSH applies command-line options first.
     */
    public record Overrides(Optional<String> user, OptionalInt port, Optional<String> proxyJump,
                            Optional<Path> identityFile, Optional<Path> knownHostsFile) {
        public static final Overrides NONE = new Overrides(Optional.empty(), OptionalInt.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /** {@link #route(String)} with command-line overrides for the destination (not for its jump hosts). */
    public List<SshTarget> route(String host, Overrides overrides) throws SshException.BadConfig {
        List<SshTarget> route = new ArrayList<>();
        addRoute(route, host, overrides.user(), overrides.port(), overrides.proxyJump(), 0);
        SshTarget last = route.remove(route.size() - 1);
        // ssh -i puts the key first; with IdentitiesOnly it is still offered.
        route.add(last.withFiles(overrides.identityFile(), overrides.knownHostsFile()));
        return List.copyOf(route);
    }

    private void addRoute(List<SshTarget> route, String host, Optional<String> user, OptionalInt port,
                          Optional<String> jumpOverride, int depth) throws SshException.BadConfig {
        if (depth > MAX_JUMP_DEPTH) {
            throw new SshException.BadConfig(Path.of("ProxyJump"), 0, "more than " + MAX_JUMP_DEPTH
                    + " nested jump hosts for " + host + " (a ProxyJump loop?)");
        }
        SshTarget target = resolve(host, user, port, jumpOverride);
        List<JumpHost> jumps = target.proxyJump();
        if (!jumps.isEmpty()) {
            JumpHost last = jumps.get(jumps.size() - 1);
            Optional<String> earlier = jumps.size() == 1 ? Optional.empty()
                    : Optional.of(target.proxyJumpSpec().orElseThrow()
                    .substring(0, target.proxyJumpSpec().orElseThrow().lastIndexOf(',')));
            addRoute(route, last.host(), last.user(), last.port(), earlier, depth + 1);
        }
        route.add(target);
    }

    /**
     * Resolution with command-line style overrides ({@code -l user -p port -J jumps}), which OpenSSH applies before
     * reading any file, so they win over the config. A {@code Match exec} is never run: the resolution is made for
     * each outcome of each such command that ssh would run, and if the outcomes lead to different targets the host
     * is refused, naming the Match line, rather than resolved either way.
     */
    SshTarget resolve(String host, Optional<String> user, OptionalInt port, Optional<String> jumps)
            throws SshException.BadConfig {
        return MatchExecBranches.resolve(host, exec -> resolveOnce(host, user, port, jumps, exec));
    }

    /** One resolution as ssh.c makes it, with the outcomes of Match exec commands given by {@code exec}. */
    private SshTarget resolveOnce(String host, Optional<String> user, OptionalInt port, Optional<String> jumps,
                                  MatchCondition.ExecOutcomes exec) throws SshException.BadConfig {
        Settings settings = new Settings();
        settings.user = user.orElse(null);
        settings.port = port.isPresent() ? port.getAsInt() : null;
        if (jumps.isPresent()) {
            settings.setProxyJump(jumps.get(), null, 0);
        }
        Pass first = new Pass(host, host, false, exec);
        for (ParsedFile file : files) {
            boolean[] active = {true};
            apply(file.entries(), first, settings, active, false);
        }
        // ssh.c: HostName replaces the host now; addresses take their numeric form, names are lower-cased.
        String finalHost = settings.hostName == null ? host : expandHostName(settings.hostName, host,
                settings.hostNameAt);
        finalHost = HostLiteral.canonical(finalHost).orElse(finalHost.toLowerCase(Locale.ROOT));
        boolean finalPass = first.wantsFinal[0];
        if (settings.canonicalize != null && settings.canonicalize != Canonicalize.NO) {
            finalHost = settings.canonicalizeWithoutDns(finalHost);
            finalPass = true;
        }
        if (finalPass) {
            // The final pass reads every file again for the resolved host name: Host lines and Match host see it,
            // Match canonical and final hold, and options set in the first pass keep their value.
            settings.hostName = finalHost;
            Pass second = new Pass(finalHost, host, true, exec);
            for (ParsedFile file : files) {
                boolean[] active = {true};
                apply(file.entries(), second, settings, active, false);
            }
        }
        return settings.toTarget(host, finalHost);
    }

    /** A reading of the files: the host Host lines match, the name ssh was given, and which pass it is. */
    private record Pass(String host, String originalHost, boolean finalPass, MatchCondition.ExecOutcomes exec,
                        boolean[] wantsFinal) {
        Pass(String host, String originalHost, boolean finalPass, MatchCondition.ExecOutcomes exec) {
            this(host, originalHost, finalPass, exec, new boolean[1]);
        }
    }

    private void apply(List<Entry> entries, Pass pass, Settings settings, boolean[] active, boolean neverMatch)
            throws SshException.BadConfig {
        for (Entry entry : entries) {
            if (entry instanceof Include) {
                boolean wasActive = active[0];
                for (ParsedFile included : ((Include) entry).files()) {
                    apply(included.entries(), pass, settings, active, neverMatch || !wasActive);
                    active[0] = wasActive;
                }
                continue;
            }
            Directive d = (Directive) entry;
            switch (d.keyword()) {
                case "host":
                    active[0] = !neverMatch && hostLineMatches(pass.host(), d.args());
                    break;
                case "match":
                    // ssh evaluates every Match line, active or not (so "final" anywhere asks for the final pass).
                    boolean matched = MatchCondition.parse(d).matches(matchContext(pass, settings), pass.exec(),
                            pass.wantsFinal());
                    active[0] = !neverMatch && matched;
                    break;
                default:
                    if (!SshKeywords.known(d.keyword()) && !settings.ignoresUnknown(d.keyword())) {
                        throw new SshException.BadConfig(d.file(), d.line(), "Bad configuration option: "
                                + d.keyword() + " (ssh refuses to start on it, so this host is refused too;"
                                + " fix the spelling, or name it in IgnoreUnknown before this line)");
                    }
                    if (active[0]) {
                        settings.apply(d);
                    }
            }
        }
    }

    /** match_cfg_line()'s view: HostName as resolved so far (expanded in the first pass), the user so far. */
    private MatchCondition.Context matchContext(Pass pass, Settings settings) throws SshException.BadConfig {
        String host;
        if (pass.finalPass()) {
            host = settings.hostName;
        } else if (settings.hostName != null) {
            host = expandHostName(settings.hostName, pass.host(), settings.hostNameAt);
        } else {
            host = pass.host();
        }
        String remoteUser = settings.user == null ? environment.localUser() : settings.user;
        return new MatchCondition.Context(host, pass.originalHost(), remoteUser, environment.localUser(),
                pass.finalPass());
    }

    /** HostName knows only %h (the host asked for) and %%; anything else stops ssh. */
    private static String expandHostName(String hostName, String host, Directive at) throws SshException.BadConfig {
        PercentExpander.Result expanded = new PercentExpander(Map.of('h', host), Map.of(), "").expandTokens(hostName);
        if (expanded.error().isPresent()) {
            throw new SshException.BadConfig(at == null ? Path.of("HostName") : at.file(), at == null ? 0 : at.line(),
                    "HostName " + hostName + ": " + expanded.error().get());
        }
        return expanded.value();
    }

    /** readconf.c's Host: active if any pattern matches, unless a negated pattern matches (checked in order). */
    private static boolean hostLineMatches(String host, List<String> patterns) {
        boolean active = false;
        for (String pattern : patterns) {
            boolean negated = pattern.startsWith("!");
            if (HostPatterns.matches(host, negated ? pattern.substring(1) : pattern)) {
                if (negated) {
                    return false;
                }
                active = true;
            }
        }
        return active;
    }

    /** convtime(): seconds, or a sequence like 1h30m. */
    static Optional<Duration> parseTime(String text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = TIME_PART.matcher(text);
        long seconds = 0;
        int pos = 0;
        while (pos < text.length()) {
            if (!m.find(pos) || m.start() != pos) {
                return Optional.empty();
            }
            long value = Long.parseLong(m.group(1));
            switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "m": value *= 60; break;
                case "h": value *= 3600; break;
                case "d": value *= 86400; break;
                case "w": value *= 604800; break;
                default: break;
            }
            seconds += value;
            pos = m.end();
        }
        return Optional.of(Duration.ofSeconds(seconds));
    }

    private static Optional<Boolean> parseFlag(String text) {
        switch (text.toLowerCase(Locale.ROOT)) {
            case "yes": case "true": return Optional.of(true);
            case "no": case "false": return Optional.of(false);
            default: return Optional.empty();
        }
    }

    /** The options collected so far; null means "not obtained yet", so the first value wins. */
    private final class Settings {
        String hostName;
        Directive hostNameAt;
        String user;
        Integer port;
        final List<String> identityFiles = new ArrayList<>();
        Boolean identitiesOnly;
        String proxyJump;
        List<JumpHost> jumpHosts;
        String proxyCommand;
        List<String> userKnownHostsFiles;
        List<String> globalKnownHostsFiles;
        StrictHostKeyChecking strict;
        Boolean hashKnownHosts;
        String identityAgent;
        Duration connectTimeout;
        boolean connectTimeoutSet;
        Duration serverAliveInterval;
        Integer serverAliveCountMax;
        String ignoredUnknown;
        Directive revokedHostKeys;
        Canonicalize canonicalize;
        Directive canonicalizeAt;
        List<String> canonicalDomains;
        Integer canonicalizeMaxDots;
        Boolean canonicalizeFallbackLocal;
        List<String> permittedCnames;
        final List<String> notes = new ArrayList<>();

        /** IgnoreUnknown in effect so far: its patterns, lower-cased, as parse_token() matches them. */
        boolean ignoresUnknown(String keyword) {
            return ignoredUnknown != null
                    && HostPatterns.matchList(keyword, ignoredUnknown) == HostPatterns.ListMatch.MATCHED;
        }

        /**
         * ssh.c's resolve_canonicalize() and CNAME following, as far as they need no DNS: a name that ssh would look
         * up under CanonicalDomains (or whose CNAME it would follow) is refused, since the answer decides which Host
         * and Match blocks apply and Keepwatch does not ask DNS for it.
         */
        String canonicalizeWithoutDns(String host) throws SshException.BadConfig {
            if (HostLiteral.address(host).isPresent() || host.indexOf(':') >= 0 || host.indexOf('%') >= 0) {
                return host;
            }
            boolean direct = (proxyCommand == null || proxyCommand.equalsIgnoreCase("none"))
                    && (jumpHosts == null || jumpHosts.isEmpty());
            if (!direct && canonicalize != Canonicalize.ALWAYS) {
                return host;
            }
            String why = null;
            if (host.endsWith(".")) {
                why = "would look the fully qualified name " + host + " up in DNS";
            } else if (host.chars().filter(c -> c == '.').count() <= (canonicalizeMaxDots == null ? 1
                    : canonicalizeMaxDots)) {
                List<String> domains = canonicalDomains == null ? List.of() : canonicalDomains;
                List<String> tried = new ArrayList<>();
                for (String domain : domains) {
                    if (domain.equalsIgnoreCase("none")) {
                        break;
                    }
                    tried.add(host + "." + domain);
                }
                if (!tried.isEmpty()) {
                    why = "would look " + String.join(", ", tried) + " up in DNS";
                } else if (canonicalizeFallbackLocal != null && !canonicalizeFallbackLocal) {
                    throw bad(canonicalizeAt, "Could not resolve host \"" + host + "\" (CanonicalizeHostname"
                            + " with no CanonicalDomains and CanonicalizeFallbackLocal no: ssh stops here too)");
                }
            }
            if (why == null && permittedCnames != null && !permittedCnames.get(0).equalsIgnoreCase("none")) {
                why = "would follow the CNAME of " + host + " in DNS (CanonicalizePermittedCNAMEs)";
            }
            if (why != null) {
                throw bad(canonicalizeAt, "CanonicalizeHostname " + canonicalize.word + ": ssh " + why
                        + " and re-read the config for the answer; Keepwatch does not canonicalise through DNS, so"
                        + " the host is refused rather than resolved differently. Write the full name in HostName"
                        + " (or the alias) and set CanonicalizeHostname no for it");
            }
            return host;
        }

        void apply(Directive d) throws SshException.BadConfig {
            String arg = d.firstArg();
            switch (d.keyword()) {
                case "hostname":
                    if (hostName == null) {
                        hostName = arg;
                        hostNameAt = d;
                    }
                    break;
                case "ignoreunknown":
                    if (ignoredUnknown == null) ignoredUnknown = arg;
                    break;
                case "canonicalizehostname":
                    Canonicalize mode = Canonicalize.parse(arg)
                            .orElseThrow(() -> bad(d, "unsupported option \"" + arg + "\""));
                    if (canonicalize == null) {
                        canonicalize = mode;
                        canonicalizeAt = d;
                    }
                    break;
                case "canonicaldomains":
                    if (canonicalDomains == null) canonicalDomains = List.copyOf(d.args());
                    break;
                case "canonicalizepermittedcnames":
                    if (permittedCnames == null) permittedCnames = List.copyOf(d.args());
                    break;
                case "canonicalizemaxdots":
                    int dots;
                    try {
                        dots = Integer.parseInt(arg);
                    } catch (NumberFormatException e) {
                        throw bad(d, "Bad number '" + arg + "'");
                    }
                    if (canonicalizeMaxDots == null) canonicalizeMaxDots = dots;
                    break;
                case "canonicalizefallbacklocal":
                    boolean fallback = parseFlag(arg).orElseThrow(() -> bad(d, "unsupported option \"" + arg + "\""));
                    if (canonicalizeFallbackLocal == null) canonicalizeFallbackLocal = fallback;
                    break;
                case "revokedhostkeys":
                    if (revokedHostKeys == null) revokedHostKeys = d;
                    break;
                case "user":
                    if (user == null) user = arg;
                    break;
                case "port":
                    int p = parsePort(arg, d);
                    if (port == null) port = p;
                    break;
                case "identityfile":
                    if (identityFiles.size() >= MAX_IDENTITY_FILES) {
                        throw bad(d, "too many identity files specified (max " + MAX_IDENTITY_FILES + ")");
                    }
                    if (!identityFiles.contains(arg)) identityFiles.add(arg);
                    break;
                case "identitiesonly":
                    boolean only = parseFlag(arg).orElseThrow(() -> bad(d, "IdentitiesOnly takes yes or no"));
                    if (identitiesOnly == null) identitiesOnly = only;
                    break;
                case "proxyjump":
                    setProxyJump(arg, d.file(), d.line());
                    break;
                case "proxycommand":
                    // ProxyJump and ProxyCommand compete: whichever comes first wins (ssh_config(5)).
                    if (proxyCommand == null && proxyJump == null) proxyCommand = String.join(" ", d.args());
                    break;
                case "userknownhostsfile":
                    if (userKnownHostsFiles == null) userKnownHostsFiles = List.copyOf(d.args());
                    break;
                case "globalknownhostsfile":
                    if (globalKnownHostsFiles == null) globalKnownHostsFiles = List.copyOf(d.args());
                    break;
                case "stricthostkeychecking":
                    StrictHostKeyChecking s = StrictHostKeyChecking.parse(arg)
                            .orElseThrow(() -> bad(d, "unsupported StrictHostKeyChecking value " + arg));
                    if (strict == null) strict = s;
                    break;
                case "hashknownhosts":
                    boolean hash = parseFlag(arg).orElseThrow(() -> bad(d, "HashKnownHosts takes yes or no"));
                    if (hashKnownHosts == null) hashKnownHosts = hash;
                    break;
                case "identityagent":
                    if (identityAgent == null) identityAgent = arg;
                    break;
                case "connecttimeout":
                    Duration timeout = arg.equalsIgnoreCase("none") ? null
                            : parseTime(arg).orElseThrow(() -> bad(d, "invalid time value " + arg));
                    if (!connectTimeoutSet) {
                        connectTimeout = timeout;
                        connectTimeoutSet = true;
                    }
                    break;
                case "serveraliveinterval":
                    Duration interval = parseTime(arg).orElseThrow(() -> bad(d, "invalid time value " + arg));
                    if (serverAliveInterval == null) serverAliveInterval = interval;
                    break;
                case "serveralivecountmax":
                    int count;
                    try {
                        count = Integer.parseInt(arg);
                    } catch (NumberFormatException e) {
                        throw bad(d, "ServerAliveCountMax takes a number");
                    }
                    if (serverAliveCountMax == null) serverAliveCountMax = count;
                    break;
                default:
                    // Options this client does not act on are skipped; those that bear on trust are noted.
                    if (SshKeywords.notedWhenIgnored(d.keyword())) {
                        String note = d.keyword() + " at " + d.file() + " line " + d.line()
                                + " is not applied by Keepwatch";
                        if (!notes.contains(note)) notes.add(note);
                    }
                    break;
            }
        }

        void setProxyJump(String spec, Path file, int line) throws SshException.BadConfig {
            List<JumpHost> hops = new ArrayList<>();
            if (!spec.equalsIgnoreCase("none")) {
                for (String hop : spec.split(",", -1)) {
                    Optional<JumpHost> parsed = JumpHost.parse(hop.trim());
                    if (parsed.isEmpty()) {
                        throw new SshException.BadConfig(file == null ? Path.of("ProxyJump") : file, line,
                                "invalid ProxyJump \"" + spec + "\"");
                    }
                    hops.add(parsed.get());
                }
            }
            if (proxyJump == null && proxyCommand == null) {
                proxyJump = spec;
                jumpHosts = hops;
            }
        }

        private int parsePort(String arg, Directive d) throws SshException.BadConfig {
            try {
                int value = Integer.parseInt(arg);
                if (value >= 1 && value <= 65535) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
            throw bad(d, "Bad port '" + arg + "'");
        }

        private SshException.BadConfig bad(Directive d, String problem) {
            return new SshException.BadConfig(d.file(), d.line(), problem);
        }

        /** The target, {@code finalHost} being the host name ssh.c settled on (HostName, canonicalised). */
        SshTarget toTarget(String alias, String finalHost) throws SshException.BadConfig {
            if (revokedHostKeys != null && !revokedHostKeys.firstArg().equalsIgnoreCase("none")) {
                // Ignoring it would accept a key the operator revoked: refuse rather than be weaker than ssh.
                throw bad(revokedHostKeys, "RevokedHostKeys " + revokedHostKeys.firstArg() + " is not read by"
                        + " Keepwatch, so a key revoked there would not be refused; put the revoked keys in"
                        + " known_hosts as @revoked lines instead");
            }
            String finalUser = user == null ? environment.localUser() : user;
            int finalPort = port == null ? 22 : port;
            boolean jumping = jumpHosts != null && !jumpHosts.isEmpty();
            PercentExpander expander = expander(alias, finalHost, finalUser, finalPort,
                    jumping ? proxyJump : "");

            List<IdentityFile> identities = new ArrayList<>();
            if (identityFiles.isEmpty()) {
                for (String name : DEFAULT_IDENTITIES) {
                    String spec = "~/.ssh/" + name;
                    identities.add(new IdentityFile(spec, Path.of(expand(expander, spec, "IdentityFile")), false));
                }
            } else {
                for (String spec : identityFiles) {
                    identities.add(new IdentityFile(spec, Path.of(expand(expander, spec, "IdentityFile")), true));
                }
            }
            List<Path> userKnown = knownHostsFiles(userKnownHostsFiles,
                    List.of("~/.ssh/known_hosts", "~/.ssh/known_hosts2"), expander, "UserKnownHostsFile");
            // ssh.c expands only the user's files; global ones are taken as written.
            List<Path> globalKnown = (globalKnownHostsFiles == null
                    ? List.of("/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2") : globalKnownHostsFiles)
                    .stream().filter(f -> !f.equalsIgnoreCase("none")).map(Path::of).collect(Collectors.toList());

            Optional<Path> agent;
            if (identityAgent == null || identityAgent.equals("SSH_AUTH_SOCK")) {
                agent = environment.agentSocket();
            } else if (identityAgent.equalsIgnoreCase("none")) {
                agent = Optional.empty();
            } else if (identityAgent.startsWith("$")) {
                agent = Optional.ofNullable(environment.variables().get(identityAgent.substring(1))).map(Path::of);
            } else {
                agent = Optional.of(Path.of(expand(expander, identityAgent, "IdentityAgent")));
            }

            return new SshTarget(alias, finalHost, finalPort, finalUser, identities,
                    identitiesOnly != null && identitiesOnly,
                    jumping ? jumpHosts : List.of(), jumping ? Optional.of(printedProxyJump()) : Optional.empty(),
                    userKnown, globalKnown,
                    strict == null ? StrictHostKeyChecking.ASK : strict,
                    hashKnownHosts != null && hashKnownHosts, agent,
                    Optional.ofNullable(connectTimeout),
                    serverAliveInterval == null ? Duration.ZERO : serverAliveInterval,
                    serverAliveCountMax == null ? 3 : serverAliveCountMax,
                    Optional.ofNullable(proxyCommand).filter(c -> !c.equalsIgnoreCase("none")),
                    notes);
        }

        /** ssh -G's form: the hops before the last as written, the last one re-printed from its parts. */
        private String printedProxyJump() {
            int lastComma = proxyJump.lastIndexOf(',');
            return proxyJump.substring(0, lastComma + 1) + jumpHosts.get(jumpHosts.size() - 1);
        }

        private List<Path> knownHostsFiles(List<String> configured, List<String> defaults, PercentExpander expander,
                                           String option) throws SshException.BadConfig {
            List<String> specs = configured == null ? defaults : configured;
            List<Path> paths = new ArrayList<>();
            for (String spec : specs) {
                if (!spec.equalsIgnoreCase("none")) {
                    paths.add(Path.of(expand(expander, spec, option)));
                }
            }
            return paths;
        }

        private String expand(PercentExpander expander, String spec, String option) throws SshException.BadConfig {
            PercentExpander.Result result = expander.expandPath(spec);
            if (result.error().isPresent()) {
                throw new SshException.BadConfig(Path.of(option), 0, result.error().get());
            }
            return result.value();
        }
    }

    /** The tokens ssh.c offers to IdentityFile, UserKnownHostsFile and IdentityAgent. */
    private PercentExpander expander(String alias, String host, String remoteUser, int port, String jump) {
        String local = environment.localHostName();
        Map<Character, String> tokens = new HashMap<>();
        tokens.put('C', connectionHash(local, host, port, remoteUser, jump));
        tokens.put('L', local.contains(".") ? local.substring(0, local.indexOf('.')) : local);
        tokens.put('l', local);
        tokens.put('d', environment.home().toString());
        tokens.put('h', host);
        tokens.put('n', alias);
        tokens.put('k', alias);
        tokens.put('p', Integer.toString(port));
        tokens.put('r', remoteUser);
        tokens.put('u', environment.localUser());
        tokens.put('i', uid());
        tokens.put('j', jump);
        return new PercentExpander(tokens, environment.variables(), environment.home().toString());
    }

    /** %C: SHA-1 of %l%h%p%r%j in hex, as ssh.c computes it. */
    private static String connectionHash(String local, String host, int port, String user, String jump) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((local + host + port + user + jump)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }

    private static String uid() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid.toString();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "-1";
        }
    }
}
