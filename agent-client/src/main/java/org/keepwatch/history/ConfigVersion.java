package org.keepwatch.history;

import java.time.Instant;
import java.util.Optional;

/**
 * A version of one configuration file of a node's daemon, as the history keeps it: the text itself is stored once
 * per sha256 ({@link HistoryStore#configText}).
 *
 * @param source {@code read} (read from the node, as Keepwatch last knew it), {@code keepwatch} (written by a push or
 *               restore, {@code operator} says who), {@code outside} (changed on the node outside Keepwatch)
 */
public record ConfigVersion(long id, Instant at, String node, String daemon, String path, String sha256, String source,
                            Optional<String> operator) {
}
