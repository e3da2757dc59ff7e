package dev.strider.runtime.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {
    private static final long MS = 1_000_000L;

    /** A clock the test moves by hand. */
    private static final class Clock {
        long nanos;
    }

    private final Clock clock = new Clock();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void formatsDurations() {
        assertEquals("0:00", ProgressReporter.formatDuration(0));
        assertEquals("0:07", ProgressReporter.formatDuration(7.4));
        assertEquals("1:00", ProgressReporter.formatDuration(59.6));
        assertEquals("12:34", ProgressReporter.formatDuration(12 * 60 + 34));
        assertEquals("1:02:03", ProgressReporter.formatDuration(3600 + 2 * 60 + 3));
        assertEquals("10:00:00", ProgressReporter.formatDuration(36_000));
        assertEquals("--:--", ProgressReporter.formatDuration(Double.NaN));
        assertEquals("--:--", ProgressReporter.formatDuration(-1));
        assertEquals("--:--", ProgressReporter.formatDuration(Double.POSITIVE_INFINITY));
    }

    @Test
    void liveLineShowsLossAccuracyRateAndEta() {
        ProgressReporter p = new ProgressReporter(out, true, () -> clock.nanos);
        p.startEpoch(2, 10, 8);
        clock.nanos = 500 * MS;
        p.batch(64, 0.5, 48);
        clock.nanos = 1000 * MS;
        p.batch(64, 0.3, 56);
        // 2 of 8 batches: 5 of 20 marks; loss (0.5 * 64 + 0.3 * 64) / 128 = 0.4; 104 / 128 = 81.25% right;
        // 128 images in 1 s; 6 batches left at 0.5 s each = 3 s
        assertEquals("epoch 3/10 [#####---------------] 2/8  loss 0.4000  acc 81.25%  128 img/s  ETA 0:03", p.liveLine(clock.nanos));
        // 20 s later, nothing more done: the rate falls to 128 / 21 = 6.1, the ETA grows to 21 * 6 / 2 = 63 s
        assertEquals("epoch 3/10 [#####---------------] 2/8  loss 0.4000  acc 81.25%  6 img/s  ETA 1:03", p.liveLine(21_000 * MS));
    }

    @Test
    void liveLineBeforeTheFirstBatch() {
        ProgressReporter p = new ProgressReporter(out, true, () -> clock.nanos);
        p.startEpoch(0, 1, 4);
        assertEquals("epoch 1/1 [--------------------] 0/4  loss NaN  acc -  - img/s  ETA --:--", p.liveLine(0));
    }

    @Test
    void redrawsAtMostEveryQuarterSecond() {
        ProgressReporter p = new ProgressReporter(out, true, () -> clock.nanos);
        p.startEpoch(0, 1, 10);
        for (int i = 1; i <= 10; i++) {
            clock.nanos = i * 100 * MS; // a batch every 100 ms
            p.batch(10, 1.0, 5);
        }
        // draws at 300 ms (the first >= 250 ms after the start), then 600 and 900 ms
        String live = printed();
        assertEquals(3, live.chars().filter(c -> c == '\r').count(), live);
        assertTrue(live.endsWith("\repoch 1/1 [##################--] 9/10  loss 1.0000  acc 50.00%  100 img/s  ETA 0:00"), live);
        assertFalse(live.contains("\n"), "the live line never scrolls");
    }

    @Test
    void endOfEpochClearsTheLiveLineAndPrintsTheSummary() {
        ProgressReporter p = new ProgressReporter(out, true, () -> clock.nanos);
        p.startEpoch(0, 2, 3);
        clock.nanos = 300 * MS;
        p.batch(4, 2.0, 1);
        String drawn = "epoch 1/2 [######--------------] 1/3  loss 2.0000  acc 25.00%  13 img/s  ETA 0:01";
        assertEquals("\r" + drawn, printed());
        clock.nanos = 900 * MS;
        p.batch(4, 1.0, 3);
        clock.nanos = 1000 * MS;
        p.batch(2, 0.5, 2);
        clock.nanos = 1250 * MS;
        ProgressReporter.EpochSummary s = p.endEpoch();
        // 10 images: loss (8 + 4 + 1) / 10 = 1.3, 6 right = 60%, 1.25 s, 10 / 1.25 = 8 img/s
        assertEquals(10, s.images());
        assertEquals(1.3, s.loss(), 1e-12);
        assertEquals(0.6, s.accuracy(), 1e-12);
        assertEquals(1.25, s.seconds(), 1e-12);
        assertEquals(8.0, s.imagesPerSecond(), 1e-12);
        String second = "epoch 1/2 [#############-------] 2/3  loss 1.5000  acc 50.00%  9 img/s  ETA 0:00";
        // the second line is one character shorter: a space erases the first line's last character, and the
        // clearing covers the first line's width
        assertEquals(drawn.length() - 1, second.length());
        assertEquals("\r" + drawn + "\r" + second + " " + "\r" + " ".repeat(drawn.length()) + "\r"
                + "epoch 1/2: loss 1.3000, accuracy 60.00%, 10 images in 1.3 s (8 img/s)" + System.lineSeparator(), printed());
    }

    @Test
    void withoutATerminalOnlyTheSummaryIsPrinted() {
        ProgressReporter p = new ProgressReporter(out, false, () -> clock.nanos);
        assertFalse(p.live());
        p.startEpoch(4, 5, 2);
        clock.nanos = 5_000 * MS;
        p.batch(3, 0.25);
        clock.nanos = 9_000 * MS;
        p.batch(1, 0.5);
        ProgressReporter.EpochSummary s = p.endEpoch();
        // a regression network: no accuracy; loss (0.75 + 0.5) / 4
        assertTrue(Double.isNaN(s.accuracy()));
        assertEquals("epoch 5/5: loss 0.3125, 4 images in 9.0 s (0 img/s)" + System.lineSeparator(), printed());
    }

    @Test
    void summaryLineGroupsThousands() {
        assertEquals("epoch 3/10: loss 0.4102, accuracy 85.02%, 60,000 images in 11.7 s (5,128 img/s)",
                new ProgressReporter.EpochSummary(2, 10, 60_000, 0.41023, 0.85017, 11.7).format());
        assertEquals("epoch 1/1: loss NaN, 0 images in 0.0 s (- img/s)",
                new ProgressReporter.EpochSummary(0, 1, 0, Double.NaN, Double.NaN, 0).format());
    }

    @Test
    void rejectsImpossibleEpochs() {
        ProgressReporter p = ProgressReporter.silent();
        assertEquals("epoch must be 0 to epochs - 1 and batches >= 0, but epoch is 3, epochs 3, batches 10",
                assertThrows(IllegalArgumentException.class, () -> p.startEpoch(3, 3, 10)).getMessage());
        assertFalse(ProgressReporter.console(true).live(), "quiet means no live line");
    }
}
