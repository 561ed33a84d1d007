package org.keepwatch.ssh;

import java.util.Set;

/**
 * The keywords OpenSSH's ssh_config knows. ssh refuses to start on any other (unless IgnoreUnknown names it), so a
 * misspelt StrictHostKeyChecking stops ssh instead of silently becoming {@code ask}; Keepwatch refuses the host too.
 */
final class SshKeywords {

    /** readconf.c's keyword table of OpenSSH 9.2 with Debian's additions (GSSAPI key exchange, keepalive names). */
    private static final Set<String> OPENSSH_9_2 = Set.of(
            // deprecated, unsupported or silently ignored by OpenSSH, but known: no error
            "protocol", "cipher", "fallbacktorsh", "globalknownhostsfile2", "rhostsauthentication",
            "userknownhostsfile2", "useroaming", "usersh", "useprivilegedport", "useblacklistedkeys",
            "afstokenpassing", "kerberosauthentication", "kerberostgtpassing", "rsaauthentication",
            "rhostsrsaauthentication", "compressionlevel", "smartcarddevice", "pkcs11provider",
            "gssapiauthentication", "gssapidelegatecredentials", "gssapikeyexchange", "gssapitrustdns",
            "gssapiclientidentity", "gssapiserveridentity", "gssapirenewalforcesrekey", "gssapikexalgorithms",
            "forwardagent", "forwardx11", "forwardx11trusted", "forwardx11timeout", "exitonforwardfailure",
            "xauthlocation", "gatewayports", "passwordauthentication", "kbdinteractiveauthentication",
            "kbdinteractivedevices", "challengeresponseauthentication", "skeyauthentication", "tisauthentication",
            "pubkeyauthentication", "dsaauthentication", "hostbasedauthentication", "identityfile", "identityfile2",
            "identitiesonly", "certificatefile", "addkeystoagent", "identityagent", "hostname", "hostkeyalias",
            "proxycommand", "port", "ciphers", "macs", "remoteforward", "localforward", "permitremoteopen", "user",
            "host", "match", "escapechar", "globalknownhostsfile", "userknownhostsfile", "connectionattempts",
            "batchmode", "checkhostip", "stricthostkeychecking", "compression", "tcpkeepalive", "keepalive",
            "numberofpasswordprompts", "syslogfacility", "loglevel", "logverbose", "dynamicforward",
            "preferredauthentications", "hostkeyalgorithms", "casignaturealgorithms", "bindaddress", "bindinterface",
            "clearallforwardings", "enablesshkeysign", "verifyhostkeydns", "nohostauthenticationforlocalhost",
            "rekeylimit", "connecttimeout", "addressfamily", "serveraliveinterval", "serveralivecountmax", "sendenv",
            "setenv", "controlpath", "controlmaster", "controlpersist", "hashknownhosts", "include", "tunnel",
            "tunneldevice", "localcommand", "permitlocalcommand", "remotecommand", "visualhostkey", "kexalgorithms",
            "ipqos", "requesttty", "sessiontype", "stdinnull", "forkafterauthentication", "proxyusefdpass",
            "canonicaldomains", "canonicalizefallbacklocal", "canonicalizehostname", "canonicalizemaxdots",
            "canonicalizepermittedcnames", "streamlocalbindmask", "streamlocalbindunlink", "revokedhostkeys",
            "fingerprinthash", "updatehostkeys", "hostbasedacceptedalgorithms", "hostbasedkeytypes",
            "pubkeyacceptedalgorithms", "pubkeyacceptedkeytypes", "ignoreunknown", "proxyjump",
            "securitykeyprovider", "knownhostscommand", "requiredrsasize", "enableescapecommandline",
            "protocolkeepalives", "setuptimeout");

    /**
     * Keywords of OpenSSH releases after 9.2: an operator's own ssh may be newer than the one on this machine, and
     * none of them bears on host keys, so they are known here although this machine's ssh would refuse them.
     */
    static final Set<String> NEWER_THAN_9_2 = Set.of("obscurekeystroketiming", "channeltimeout", "tag",
            "refuseconnection", "warnweakcrypto");

    /**
     * Known keywords Keepwatch does not act on that bear on which host key is trusted or where the connection goes:
     * the target's notes name each one in effect, so nobody takes Keepwatch to honour them.
     */
    private static final Set<String> NOTED_WHEN_IGNORED = Set.of("hostkeyalias", "checkhostip", "verifyhostkeydns",
            "knownhostscommand", "updatehostkeys", "hostkeyalgorithms", "nohostauthenticationforlocalhost",
            "addressfamily", "bindaddress", "bindinterface", "casignaturealgorithms", "kexalgorithms");

    private SshKeywords() {
    }

    /** Whether ssh knows {@code keyword} (lower case). */
    static boolean known(String keyword) {
        return OPENSSH_9_2.contains(keyword) || NEWER_THAN_9_2.contains(keyword);
    }

    /** Whether a directive with this keyword in effect deserves a note that Keepwatch does not apply it. */
    static boolean notedWhenIgnored(String keyword) {
        return NOTED_WHEN_IGNORED.contains(keyword);
    }
}
