package org.keepwatch.agent;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Lines of at most a limit, whatever the stream holds. */
class LineReaderTest {

    @Test
    void readsLinesUpToAndIncludingTheLimitWhole() throws IOException {
        LineReader lines = new LineReader(stream("a\n\nbcde\nfghij\nlast"), 5);
        assertThat(texts(lines)).containsExactly("a|", "|", "bcde|", "fghij|", "last|");
    }

    @Test
    void aLineOverTheLimitComesCutAndItsRestCanBeSkipped() throws IOException {
        LineReader lines = new LineReader(stream("abcdefgh\nnext\n"), 5);
        LineReader.Line cut = lines.next().orElseThrow();
        assertThat(cut.cut()).isTrue();
        assertThat(new String(cut.bytes(), StandardCharsets.US_ASCII)).isEqualTo("abcde");
        assertThat(lines.skipLine(3)).isTrue();
        assertThat(texts(lines)).containsExactly("next|");
    }

    @Test
    void skippingGivesUpAfterItsBound() throws IOException {
        LineReader lines = new LineReader(stream("abcdefghijkl\nnext\n"), 2);
        assertThat(lines.next().orElseThrow().cut()).isTrue();
        assertThat(lines.skipLine(5)).isFalse();
    }

    @Test
    void aStreamGivingOneByteAtATimeGivesTheSameLines() throws IOException {
        InputStream slow = new InputStream() {
            private final InputStream in = stream("one\ntwo!!!\nthree\n");

            @Override
            public int read() throws IOException {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return in.read(b, off, Math.min(len, 1));
            }
        };
        LineReader lines = new LineReader(slow, 5);
        assertThat(lines.next().map(l -> new String(l.bytes(), StandardCharsets.US_ASCII))).contains("one");
        assertThat(lines.next().orElseThrow().cut()).isTrue();
        assertThat(lines.skipLine(100)).isTrue();
        assertThat(texts(lines)).containsExactly("three|");
    }

    @Test
    void aLineOfAHundredMegabytesCostsLittleMoreThanTheLimit() throws IOException {
        // Counted as bytes this thread allocated, which no garbage collection can hide.
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long hundredMegabytes = 100L << 20;
        InputStream endless = new InputStream() {
            private long left = hundredMegabytes;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
        long before = threads.getCurrentThreadAllocatedBytes();
        LineReader lines = new LineReader(endless, 4 << 20);
        assertThat(lines.next().orElseThrow().cut()).isTrue();
        assertThat(lines.skipLine(Long.MAX_VALUE)).isTrue();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated reading a 100 MiB line with a 4 MiB limit").isLessThan(12L << 20);
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Every remaining line as "text|" ("|" marks its end; a cut line would fail the test). */
    private static List<String> texts(LineReader lines) throws IOException {
        List<String> out = new ArrayList<>();
        for (Optional<LineReader.Line> line = lines.next(); line.isPresent(); line = lines.next()) {
            assertThat(line.get().cut()).isFalse();
            out.add(new String(line.get().bytes(), StandardCharsets.US_ASCII) + "|");
        }
        return out;
    }
}
