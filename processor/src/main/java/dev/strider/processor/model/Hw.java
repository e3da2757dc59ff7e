package dev.strider.processor.model;

/** A height/width pair: a kernel, stride, padding or dilation. */
public record Hw(int h, int w) {
    public static Hw square(int n) {
        return new Hw(n, n);
    }

    public boolean isSquare() {
        return h == w;
    }

    /** {@code 3} for a square pair, {@code 3x5} otherwise. */
    @Override
    public String toString() {
        return isSquare() ? Integer.toString(h) : h + "x" + w;
    }
}
