package org.keepwatch.app.dialogs;

import org.keepwatch.agent.AgentStartException;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.ssh.SshException;

import java.util.List;
import java.util.Optional;

/**
 * Why a node is not online, explained for the person who has to fix it: what happened, what to do, and the
 * commands to do it with. Built from the typed cause when there is one, from the message otherwise.
 *
 * @param tone     info, warning or danger (a changed host key is danger)
 * @param commands ready to paste, shown copyable
 */
public record NodeTroubleshooting(String title, String summary, List<String> steps, List<String> commands, String tone,
                          String error, Optional<SshException.HostKeyChanged> changedKey) {

    /**
     * @param node  the node's name
     * @param user  the login the fleet gives the node, if it says (for sudoers lines)
     * @param error the last error as the Nodes view shows it
     */
    public static NodeTroubleshooting explain(String node, ConnectionState state, String error, Optional<Exception> cause,
                                      Optional<String> user) {
        Exception failure = cause.orElse(null);
        if (failure instanceof SshException.JumpHostFailed jump) {
            NodeTroubleshooting inner = explain(jump.hopName(), state, jump.getCause().getMessage(),
                    Optional.of(jump.getCause()), Optional.empty());
            return new NodeTroubleshooting(node + ": jump host " + jump.hopName() + " failed", "Keepwatch reaches " + node
                    + " through " + jump.hopName() + " (hop " + jump.hop() + "), and that hop failed. "
                    + inner.summary(), inner.steps(), inner.commands(), inner.tone(), error, inner.changedKey());
        }
        if (failure instanceof SshException.HostKeyChanged changed) {
            return new NodeTroubleshooting(node + ": the host key has changed", "Keepwatch refused to connect and sent "
                    + "nothing: no password, no key signature.", List.of(), List.of(), "danger", error,
                    Optional.of(changed));
        }
        if (failure instanceof SshException.HostKeyRevoked revoked) {
            return of(node + ": the host key is revoked", "The key " + revoked.key().hostDisplay() + " presents is "
                            + "marked @revoked in " + revoked.knownHostsFile() + " line " + revoked.knownHostsLine()
                            + ". Someone decided this key must never be trusted again.",
                    List.of("Do not connect until the node has a new host key.",
                            "Ask who revoked it why; regenerate the node's host keys if it was compromised."),
                    List.of(), "danger", error);
        }
        if (failure instanceof SshException.HostKeyUnknown unknown) {
            String host = unknown.key().hostDisplay();
            if (unknown.rejectedByUser()) {
                return of(node + ": host key rejected", "The host key of " + host + " was rejected when Keepwatch "
                                + "asked (or nobody answered in time).",
                        List.of("Check the fingerprint on the node's console.",
                                "Press Reconnect: Keepwatch asks again and you can accept it."),
                        List.of(HostKeyDialog.checkCommand(unknown.key().keyType())), "warning", error);
            }
            if (!unknown.key().otherTypesKnown().isEmpty()) {
                String type = unknown.key().keyType();
                return of(node + ": host key of a new type refused", host + " presented a " + type + " key, but "
                                + "known_hosts knows it by another type: " + unknown.key().describeOtherTypesKnown()
                                + ". A man in the middle would offer a key of a type nobody checked, so Keepwatch "
                                + "refused and sent nothing.",
                        List.of("Check the node's " + type + " fingerprint on its console (command below).",
                                "Only if it matches: set StrictHostKeyChecking ask for this host and press Reconnect "
                                        + "to accept it, or add the key to known_hosts by hand."),
                        List.of(HostKeyDialog.checkCommand(type)), "danger", error);
            }
            return of(node + ": unknown host key refused", "No known_hosts file has a key for " + host + ", and "
                            + "StrictHostKeyChecking (in ~/.ssh/config) refuses unknown keys instead of asking.",
                    List.of("Check the node's fingerprint on its console (first command).",
                            "Add the key to known_hosts after comparing it (second command), or set "
                                    + "StrictHostKeyChecking ask for this host, then press Reconnect."),
                    List.of(HostKeyDialog.checkCommand(unknown.key().keyType()),
                            "ssh-keyscan -p " + unknown.key().port() + " " + unknown.key().host()
                                    + " | ssh-keygen -lf -   # compare, then append to ~/.ssh/known_hosts"),
                    "warning", error);
        }
        if (failure instanceof SshException.AuthenticationFailed auth) {
            String login = user.orElse("the user");
            return of(node + ": login refused", "The node refused every way Keepwatch could log in. Tried: "
                            + (auth.methodsTried().isEmpty() ? "nothing" : String.join(", ", auth.methodsTried()))
                            + ". The server accepts: " + String.join(", ", auth.methodsAllowed()) + ".",
                    List.of("Check the user name (Edit node…): is " + login + " the right login?",
                            "Put your public key in that user's ~/.ssh/authorized_keys on the node (command below), or "
                                    + "load your key into ssh-agent (ssh-add).",
                            "An encrypted key or a password is asked for in a dialog; a cancelled question counts as "
                                    + "refused. Press Reconnect to try again."),
                    List.of("ssh-copy-id " + user.map(u -> u + "@").orElse("") + node, "ssh-add -l"), "warning", error);
        }
        if (failure instanceof AgentStartException agent) {
            return agent(node, agent, user, error);
        }
        if (failure instanceof SshException.UnknownHost) {
            return of(node + ": name not found", error, List.of("Check Host (Edit node…) or the HostName in "
                    + "~/.ssh/config; the name must resolve on this workstation."), List.of(), "warning", error);
        }
        if (failure instanceof SshException.ConnectionRefused) {
            return of(node + ": connection refused", error, List.of("Is sshd running on the node, and on this port?",
                    "Check Port (Edit node…) and any firewall in between."), List.of("systemctl status ssh"), "warning", error);
        }
        if (failure instanceof SshException.ConnectTimeout || failure instanceof SshException.HostUnreachable) {
            return of(node + ": no answer", error, List.of("Is the node up, and is there a route to it from this "
                    + "workstation?", "If it sits behind a bastion, set Jump host (Edit node…)."), List.of(), "warning", error);
        }
        if (failure instanceof SshException.Unsupported) {
            return of(node + ": not supported", error, List.of("Keepwatch does not run ProxyCommand; use ProxyJump "
                    + "(Jump host) instead."), List.of(), "warning", error);
        }
        String summary = error.isEmpty() ? "No error recorded." : error;
        List<String> steps = switch (state) {
            case STALE -> List.of("The agent stopped sending heartbeats: the node may be overloaded or the link "
                    + "congested. What it showed last is not current.");
            case OFFLINE -> List.of("Keepwatch retries on its own, waiting longer after each failure. Press Reconnect "
                    + "to try now.");
            default -> List.of();
        };
        return of(node + ": " + words(state), summary, steps, List.of(), "warning", error);
    }

    private static NodeTroubleshooting agent(String node, AgentStartException agent, Optional<String> user, String error) {
        String login = user.filter(u -> !u.isBlank()).orElse("USER");
        return switch (agent.reason()) {
            case SUDO_PASSWORD -> of(node + ": sudo wants a password",
                    "sudo on " + node + " wants " + login + "'s password to start the agent as root, and none was "
                            + "given. Keepwatch asks for it once per session and sends it only to sudo on that node.",
                    List.of("Press Reconnect to be asked again,",
                            "or allow " + login + " to run python3 as root without a password (commands below, "
                                    + "as root on the node; visudo checks the file),",
                            "or log in as root instead (User root, Sudo off: Edit node…)."),
                    List.of("echo '" + login + " ALL=(root) NOPASSWD: /usr/bin/python3' > /etc/sudoers.d/keepwatch",
                            "chmod 0440 /etc/sudoers.d/keepwatch && visudo -cf /etc/sudoers.d/keepwatch"),
                    "warning", error);
            case SUDO_PASSWORD_REFUSED -> of(node + ": sudo refused the password",
                    error, List.of("Keepwatch tried at most two passwords and stopped, so that retries do not lock "
                            + login + "'s account. Check the password, then press Reconnect to type it again."),
                    List.of("faillock --user " + login + "   # on the node, as root: failed attempts counted"),
                    "danger", error);
            case NO_SUDO -> of(node + ": " + login + " has no sudo for python3",
                    "sudo on " + node + " does not let " + login + " run python3 as root, so the agent runs as "
                            + login + ": keepalived's state needs root, so the node's instances are not watched (its "
                            + "configuration can still be read), and nothing can be changed.",
                    List.of("Allow " + login + " to run python3 as root (commands below, as root on the node),",
                            "or log in as root (User root).", "Then press Reconnect."),
                    List.of("echo '" + login + " ALL=(root) /usr/bin/python3' > /etc/sudoers.d/keepwatch",
                            "chmod 0440 /etc/sudoers.d/keepwatch && visudo -cf /etc/sudoers.d/keepwatch"),
                    "warning", error);
            case NOT_ROOT -> of(node + ": the agent is not root",
                    "The agent runs as " + login + ", not root, so it cannot signal keepalived, read its state or "
                            + "change its configuration.",
                    List.of("Turn on Sudo for this node (Edit node…): the agent then starts with sudo -n, which needs "
                            + "passwordless sudo for python3,", "or log in as root (User root).", "Then press Reconnect."),
                    List.of("sudo -n -l /usr/bin/python3   # on the node: prints the rule when sudo allows it"),
                    "warning", error);
            case NO_PYTHON -> of(node + ": no Python 3",
                    "The agent is a small Python script (3.6 or newer, standard library only) and the node has no "
                            + "usable python3.",
                    List.of("Install python3 on the node (one of the commands below), then press Reconnect."),
                    List.of("apt-get install python3-minimal", "dnf install python3"), "warning", error);
            case PROTOCOL_MISMATCH -> of(node + ": agent version mismatch", error, List.of("Another Keepwatch "
                    + "version's agent answered. Press Reconnect; if it persists, delete ~/.cache/keepwatch on the node."),
                    List.of("rm -rf ~/.cache/keepwatch"), "warning", error);
            case DEPLOY_FAILED -> of(node + ": agent upload failed", error, List.of("Check free space and "
                    + "permissions of ~/.cache/keepwatch on the node, then press Reconnect."), List.of("df -h ~"),
                    "warning", error);
            case NO_ANSWER -> of(node + ": the agent did not start", error, List.of("The agent's last log lines are "
                    + "in the message above. Press Reconnect to try again."), List.of(), "warning", error);
            case PROTOCOL_VIOLATION -> of(node + ": the agent broke the protocol", error, List.of("It sent more than "
                    + "the protocol allows in one line: a node reporting more than about 2,500 routers, or a node that "
                    + "was tampered with (python3, the agent's files). Keepwatch waits longer than usual before it "
                    + "connects again.", "Check the node, then press Reconnect to try now."),
                    List.of("ls -l ~/.cache/keepwatch"), "danger", error);
        };
    }

    private static NodeTroubleshooting of(String title, String summary, List<String> steps, List<String> commands, String tone,
                                  String error) {
        return new NodeTroubleshooting(title, summary, steps, commands, tone, error, Optional.empty());
    }

    private static String words(ConnectionState state) {
        return switch (state) {
            case CONNECTING -> "connecting";
            case ONLINE -> "online";
            case STALE -> "no heartbeat";
            case OFFLINE -> "offline";
            case AUTH_FAILED -> "login refused";
            case HOST_KEY_REJECTED -> "host key refused";
        };
    }
}
