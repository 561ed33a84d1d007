package org.keepwatch.drafts;

/** One file an edit changed: its text as read from the node (with the hash an apply names), and now. */
public record FileChange(String path, String before, String after, String baseSha256) {
}
