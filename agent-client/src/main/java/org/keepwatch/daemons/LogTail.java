package org.keepwatch.daemons;

import org.keepwatch.agent.LogRead;

/** A followed log: where it is read from; closing it stops the follow on the node. */
public final class LogTail implements AutoCloseable {

    private final String node;
    private final String daemon;
    private final LogRead.Source source;
    private final Runnable stop;
    private boolean closed;

    LogTail(String node, String daemon, LogRead.Source source, Runnable stop) {
        this.node = node;
        this.daemon = daemon;
        this.source = source;
        this.stop = stop;
    }

    public String node() {
        return node;
    }

    public String daemon() {
        return daemon;
    }

    public LogRead.Source source() {
        return source;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            stop.run();
        }
    }
}
