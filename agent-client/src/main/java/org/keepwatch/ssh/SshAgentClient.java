package org.keepwatch.ssh;

import net.schmizz.sshj.common.Buffer;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A client of ssh-agent over its Unix socket (draft-miller-ssh-agent): list identities and ask for signatures.
 * Private keys never leave the agent. One instance holds one socket connection; not thread-safe.
 */
final class SshAgentClient implements Closeable {

    private static final byte AGENT_FAILURE = 5;
    private static final byte REQUEST_IDENTITIES = 11;
    private static final byte IDENTITIES_ANSWER = 12;
    private static final byte SIGN_REQUEST = 13;
    private static final byte SIGN_RESPONSE = 14;
    /** Sign flags asking an agent for RSA signatures with SHA-2 instead of SHA-1. */
    static final int RSA_SHA2_256 = 2;
    static final int RSA_SHA2_512 = 4;
    /** Agents cap messages at 256 KiB; anything bigger is a broken peer. */
    private static final int MAX_MESSAGE = 256 * 1024;

    /** A key the agent holds: its wire blob (what signing names), the parsed key and the agent's comment. */
    record Identity(byte[] blob, PublicKey key, String comment) {
        String describe() {
            return HostKeys.type(key) + " " + HostKeys.fingerprint(blob) + (comment.isEmpty() ? "" : " " + comment);
        }
    }

    private final SocketChannel channel;

    private SshAgentClient(SocketChannel channel) {
        this.channel = channel;
    }

    static SshAgentClient connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return new SshAgentClient(channel);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** The agent's keys in the agent's order; keys SSHJ cannot represent (e.g. security keys) are left out. */
    List<Identity> identities() throws IOException {
        Buffer.PlainBuffer reply = request(new Buffer.PlainBuffer().putByte(REQUEST_IDENTITIES));
        try {
            byte type = reply.readByte();
            if (type != IDENTITIES_ANSWER) {
                throw new IOException("ssh-agent refused to list identities (answer " + type + ")");
            }
            long count = reply.readUInt32();
            List<Identity> identities = new ArrayList<>();
            for (long i = 0; i < count; i++) {
                byte[] blob = reply.readBytes();
                String comment = reply.readString();
                parseKey(blob).ifPresent(key -> identities.add(new Identity(blob, key, comment)));
            }
            return identities;
        } catch (Buffer.BufferException e) {
            throw new IOException("malformed answer from ssh-agent", e);
        }
    }

    /** The agent's signature blob ({@code string algorithm, string signature}) over {@code data}. */
    byte[] sign(byte[] keyBlob, byte[] data, int flags) throws IOException {
        Buffer.PlainBuffer reply = request(new Buffer.PlainBuffer().putByte(SIGN_REQUEST)
                .putBytes(keyBlob).putBytes(data).putUInt32(flags));
        try {
            byte type = reply.readByte();
            if (type == AGENT_FAILURE) {
                throw new IOException("ssh-agent refused to sign (key locked, confirmation denied or unsupported)");
            }
            if (type != SIGN_RESPONSE) {
                throw new IOException("unexpected answer " + type + " from ssh-agent");
            }
            return reply.readBytes();
        } catch (Buffer.BufferException e) {
            throw new IOException("malformed answer from ssh-agent", e);
        }
    }

    private Buffer.PlainBuffer request(Buffer.PlainBuffer message) throws IOException {
        byte[] body = message.getCompactData();
        ByteBuffer out = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        ByteBuffer length = readFully(4);
        int size = length.getInt();
        if (size <= 0 || size > MAX_MESSAGE) {
            throw new IOException("ssh-agent sent a message of " + size + " bytes");
        }
        return new Buffer.PlainBuffer(readFully(size).array());
    }

    private ByteBuffer readFully(int size) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(size);
        while (in.hasRemaining()) {
            if (channel.read(in) < 0) {
                throw new EOFException("ssh-agent closed the connection");
            }
        }
        return in.flip();
    }

    private static Optional<PublicKey> parseKey(byte[] blob) {
        try {
            return Optional.of(new Buffer.PlainBuffer(blob).readPublicKey());
        } catch (Buffer.BufferException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
