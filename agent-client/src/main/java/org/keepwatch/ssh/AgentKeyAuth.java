package org.keepwatch.ssh;

import com.hierynomus.sshj.key.KeyAlgorithm;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.common.Message;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.method.AbstractAuthMethod;

import java.io.IOException;
import java.util.LinkedList;
import java.util.Queue;

/**
 * SSH "publickey" authentication with a key held by ssh-agent: the same exchange as SSHJ's AuthPublickey, but the
 * signature comes from the agent. RSA keys are offered as rsa-sha2-512, then rsa-sha2-256, as the transport's
 * algorithm list orders them, with the matching agent flag.
 */
final class AgentKeyAuth extends AbstractAuthMethod {

    private final SshAgentClient agent;
    private final SshAgentClient.Identity identity;
    private Queue<KeyAlgorithm> algorithms;

    AgentKeyAuth(SshAgentClient agent, SshAgentClient.Identity identity) {
        super("publickey");
        this.agent = agent;
        this.identity = identity;
    }

    @Override
    public void handle(Message cmd, SSHPacket buf) throws UserAuthException, TransportException {
        if (cmd == Message.USERAUTH_60) {
            // PK_OK: the server accepts this key; now prove possession.
            params.getTransport().write(signed(request(true)));
        } else {
            super.handle(cmd, buf);
        }
    }

    @Override
    protected SSHPacket buildReq() throws UserAuthException {
        return request(false);
    }

    @Override
    public boolean shouldRetry() {
        // Next signature algorithm for the same key (rsa-sha2-256 after rsa-sha2-512 was refused).
        if (algorithms != null) {
            algorithms.poll();
            return !algorithms.isEmpty();
        }
        return false;
    }

    private KeyAlgorithm algorithm() throws UserAuthException {
        if (algorithms == null) {
            try {
                algorithms = new LinkedList<>(params.getTransport().getClientKeyAlgorithms(KeyType.fromKey(identity.key())));
            } catch (TransportException e) {
                throw new UserAuthException("No signature algorithm for " + identity.describe(), e);
            }
        }
        KeyAlgorithm algorithm = algorithms.peek();
        if (algorithm == null) {
            throw new UserAuthException("No signature algorithm left for " + identity.describe());
        }
        return algorithm;
    }

    private SSHPacket request(boolean signed) throws UserAuthException {
        return super.buildReq().putBoolean(signed).putString(algorithm().getKeyAlgorithm()).putString(identity.blob());
    }

    private SSHPacket signed(SSHPacket request) throws UserAuthException {
        String algorithm = algorithm().getKeyAlgorithm();
        int flags = algorithm.equals("rsa-sha2-512") ? SshAgentClient.RSA_SHA2_512
                : algorithm.equals("rsa-sha2-256") ? SshAgentClient.RSA_SHA2_256 : 0;
        byte[] data = new Buffer.PlainBuffer()
                .putString(params.getTransport().getSessionID())
                .putBuffer(request)
                .getCompactData();
        try {
            return request.putString(agent.sign(identity.blob(), data, flags));
        } catch (IOException e) {
            throw new UserAuthException("ssh-agent could not sign with " + identity.describe(), e);
        }
    }

    @Override
    public String toString() {
        return "publickey (agent: " + identity.describe() + ")";
    }
}
