package dev.strider.tests.fuzz;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes annotation values as Java constant expressions, not always the plain way: {@code 3}, {@code 0x3},
 * {@code (1 + 2)}, {@code {3, 3}} for a square pair; doubles as {@code 0.5}, {@code 5e-1} or {@code (1.0 / 2)}. javac
 * folds them all to the same constant, so they must not change what the processor sees.
 */
final class Literals {
    private final SplittableRandom r;

    Literals(SplittableRandom r) {
        this.r = r;
    }

    String integer(long v) {
        int style = r.nextInt(20);
        if (v == Integer.MIN_VALUE) {
            return style < 10 ? "Integer.MIN_VALUE" : "(-2147483647 - 1)";
        }
        if (v == Integer.MAX_VALUE && style < 10) {
            return "Integer.MAX_VALUE";
        }
        if (style == 0 && v >= 0) {
            return "0x" + Long.toHexString(v).toUpperCase(Locale.ROOT);
        }
        if (style == 1 && v > Integer.MIN_VALUE + 1 && v < Integer.MAX_VALUE) {
            return "(" + (v - 1) + " + 1)";
        }
        return Long.toString(v);
    }

    /** One value when {@code h == w} (mostly), else {@code {h, w}}. */
    String pair(long h, long w) {
        if (h == w && r.nextInt(5) != 0) {
            return integer(h);
        }
        return "{" + integer(h) + ", " + integer(w) + "}";
    }

    String real(double v) {
        if (Double.isNaN(v)) {
            return r.nextBoolean() ? "Double.NaN" : "(0.0 / 0)";
        }
        if (Double.isInfinite(v)) {
            return (v > 0 ? "" : "-") + (r.nextBoolean() ? "Double.POSITIVE_INFINITY" : "(1 / 0.0)");
        }
        int style = r.nextInt(10);
        if (style == 0) {
            return new BigDecimal(Double.toString(v)).movePointRight(1).toPlainString() + "e-1";
        }
        if (style == 1) {
            return "(" + (v * 2) + " / 2)";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e9 && style == 2) {
            return Long.toString((long) v); // an int constant where a double is expected
        }
        return Double.toString(v);
    }
}
