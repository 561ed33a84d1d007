/**
 * SSH transport on SSHJ, behaving like OpenSSH where OpenSSH has an opinion.
 *
 * <ul>
 *   <li>{@link org.keepwatch.ssh.SshConfig} resolves a host alias from ~/.ssh/config (and /etc/ssh/ssh_config)
 *       into an {@link org.keepwatch.ssh.SshTarget}, the way {@code ssh -G} does.</li>
 *   <li>{@link org.keepwatch.ssh.SshConnector} connects to a target (through its ProxyJump chain), verifying
 *       every host key against known_hosts and authenticating in OpenSSH's order, asking the
 *       {@link org.keepwatch.ssh.SshPrompts} for decisions and secrets.</li>
 *   <li>{@link org.keepwatch.ssh.SshConnection} opens exec channels ({@link org.keepwatch.ssh.RemoteProcess}) and
 *       SFTP ({@link org.keepwatch.ssh.RemoteFiles}) and reports when the connection dies.</li>
 *   <li>Every failure is an {@link org.keepwatch.ssh.SshException} subtype a UI can put in words.</li>
 * </ul>
 */
package org.keepwatch.ssh;
