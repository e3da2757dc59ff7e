package dev.strider.runtime.progress;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Reports training progress: while an epoch runs, a live line redrawn in place at most every
 * {@value #REDRAW_INTERVAL_MILLIS} ms (only when {@code live}: on a terminal and not asked to be quiet), and at the
 * end of each epoch one summary line, always (it is what a log or CI output keeps).
 *
 * <pre>
 * epoch 3/10 [########------------] 380/938  loss 0.4321  acc 84.10%  5,123 img/s  ETA 0:07
 * epoch 3/10: loss 0.4102, accuracy 85.02%, 60,000 images in 11.7 s (5,128 img/s)
 * </pre>
 *
 * Epochs count from 0 in calls (as {@link dev.strider.runtime.optim.LearningRateSchedule} counts them) and from 1 on
 * screen. Loss and accuracy are means over the epoch's images so far (each batch's mean loss weighted by its size).
 * The ETA is the epoch's remaining batches at the epoch's average time per batch so far. Time comes from an injected
 * nanosecond clock, so the formatting can be tested without waiting. {@link #batch} allocates nothing unless it
 * redraws. Not thread-safe.
 */
public final class ProgressReporter {
    /** The shortest time between two redraws of the live line: at most 4 a second. */
    public static final long REDRAW_INTERVAL_MILLIS = 250;

    private static final long REDRAW_NANOS = REDRAW_INTERVAL_MILLIS * 1_000_000L;
    private static final int BAR = 20;

    private final PrintStream out;
    private final boolean live;
    private final LongSupplier nanoClock;

    private int epoch;
    private int epochs;
    private int batches;
    private int done;
    private long images;
    private long correct;
    private boolean accuracyKnown;
    private double lossSum;
    private long start;
    private long lastDraw;
    private int drawnLength;

    /**
     * A reporter printing to {@code out}; the live line only if {@code live}; {@code nanoClock} gives the time in
     * nanoseconds ({@code System::nanoTime}).
     */
    public ProgressReporter(PrintStream out, boolean live, LongSupplier nanoClock) {
        this.out = out;
        this.live = live;
        this.nanoClock = nanoClock;
    }

    /** Standard output: the live line only on a terminal ({@code System.console() != null}) and when not {@code quiet}. */
    public static ProgressReporter console(boolean quiet) {
        return new ProgressReporter(System.out, !quiet && System.console() != null, System::nanoTime);
    }

    /** A reporter that prints nothing (it still computes the summaries). */
    public static ProgressReporter silent() {
        return new ProgressReporter(new PrintStream(OutputStream.nullOutputStream()), false, System::nanoTime);
    }

    /** Whether the live line is drawn. */
    public boolean live() {
        return live;
    }

    /** Starts epoch {@code epoch} (from 0) of {@code epochs}, which has {@code batches} batches. */
    public void startEpoch(int epoch, int epochs, int batches) {
        if (epoch < 0 || epoch >= epochs || batches < 0) {
            throw new IllegalArgumentException("epoch must be 0 to epochs - 1 and batches >= 0, but epoch is " + epoch + ", epochs "
                    + epochs + ", batches " + batches);
        }
        this.epoch = epoch;
        this.epochs = epochs;
        this.batches = batches;
        this.done = 0;
        this.images = 0;
        this.correct = 0;
        this.accuracyKnown = true;
        this.lossSum = 0;
        this.start = nanoClock.getAsLong();
        this.lastDraw = start;
    }

    /** A batch of {@code size} images finished with mean loss {@code loss}, {@code correct} of them classified right. */
    public void batch(int size, double loss, int correct) {
        this.correct += correct;
        record(size, loss);
    }

    /** A batch finished, for a network without accuracy (regression): the reports show loss only. */
    public void batch(int size, double loss) {
        accuracyKnown = false;
        record(size, loss);
    }

    private void record(int size, double loss) {
        done++;
        images += size;
        lossSum += loss * size;
        if (live) {
            long now = nanoClock.getAsLong();
            if (now - lastDraw >= REDRAW_NANOS) {
                lastDraw = now;
                String line = liveLine(now);
                out.print('\r' + line + " ".repeat(Math.max(0, drawnLength - line.length())));
                out.flush();
                drawnLength = Math.max(drawnLength, line.length()); // the padding keeps the longest width on screen
            }
        }
    }

    /** Ends the epoch: clears the live line, prints the summary line and returns the summary. */
    public EpochSummary endEpoch() {
        long now = nanoClock.getAsLong();
        EpochSummary summary = new EpochSummary(epoch, epochs, images, images == 0 ? Double.NaN : lossSum / images,
                accuracyKnown && images > 0 ? (double) correct / images : Double.NaN, (now - start) / 1e9);
        if (drawnLength > 0) {
            out.print('\r' + " ".repeat(drawnLength) + '\r');
            drawnLength = 0;
        }
        out.println(summary.format());
        out.flush();
        return summary;
    }

    /** The live line at time {@code now} (nanoseconds of the injected clock). */
    String liveLine(long now) {
        double seconds = (now - start) / 1e9;
        int filled = batches == 0 ? BAR : (int) ((long) BAR * done / batches);
        StringBuilder s = new StringBuilder();
        s.append("epoch ").append(epoch + 1).append('/').append(epochs).append(" [")
                .append("#".repeat(filled)).append("-".repeat(BAR - filled)).append("] ")
                .append(done).append('/').append(batches)
                .append("  loss ").append(String.format(Locale.ROOT, "%.4f", images == 0 ? Double.NaN : lossSum / images));
        if (accuracyKnown) {
            s.append("  acc ").append(percent(images == 0 ? Double.NaN : (double) correct / images));
        }
        s.append("  ").append(rate(images, seconds)).append(" img/s")
                .append("  ETA ").append(formatDuration(done == 0 ? Double.NaN : seconds * (batches - done) / done));
        return s.toString();
    }

    /** {@code m:ss} below an hour, {@code h:mm:ss} from an hour, rounded to the second; {@code --:--} if unknown. */
    public static String formatDuration(double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            return "--:--";
        }
        long s = Math.round(seconds);
        long h = s / 3600;
        long m = s / 60 % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s % 60) : String.format(Locale.ROOT, "%d:%02d", m, s % 60);
    }

    /** {@code images / seconds} rounded, with thousands separators; {@code -} if no time has passed. */
    static String rate(long images, double seconds) {
        return seconds > 0 ? String.format(Locale.ROOT, "%,d", Math.round(images / seconds)) : "-";
    }

    static String percent(double fraction) {
        return Double.isNaN(fraction) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    /**
     * One finished epoch.
     *
     * @param epoch the epoch, from 0
     * @param epochs the number of epochs
     * @param images the images seen
     * @param loss the mean loss per image (NaN without images)
     * @param accuracy the fraction classified right (NaN if not reported)
     * @param seconds the epoch's duration
     */
    public record EpochSummary(int epoch, int epochs, long images, double loss, double accuracy, double seconds) {
        /** Images per second (0 if no time passed). */
        public double imagesPerSecond() {
            return seconds > 0 ? images / seconds : 0;
        }

        /** The summary line, e.g. {@code epoch 3/10: loss 0.4102, accuracy 85.02%, 60,000 images in 11.7 s (5,128 img/s)}. */
        public String format() {
            return "epoch " + (epoch + 1) + "/" + epochs + ": loss " + String.format(Locale.ROOT, "%.4f", loss)
                    + (Double.isNaN(accuracy) ? "" : ", accuracy " + percent(accuracy))
                    + ", " + String.format(Locale.ROOT, "%,d", images) + " images in " + String.format(Locale.ROOT, "%.1f", seconds)
                    + " s (" + rate(images, seconds) + " img/s)";
        }
    }
}
