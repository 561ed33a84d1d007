package org.keepwatch.agent;

/**
 * Why an agent session ended, in words. {@code protocolViolation} when the agent sent what the protocol forbids
 * (docs/protocol.md, Framing): that says something about the node, unlike a dropped link, so it is not simply
 * retried at once.
 */
public record SessionEnd(String reason, boolean protocolViolation) {
}
