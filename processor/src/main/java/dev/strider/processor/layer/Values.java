package dev.strider.processor.layer;

import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.model.Hw;
import dev.strider.processor.model.LayerDecl;
import java.util.List;

/**
 * Typed, validated access to a layer's declared values. Every invalid value is reported as
 * {@code [strider/invalid-value]} on that value, and a harmless stand-in is returned so that the remaining values
 * are still checked (all errors in one pass).
 */
final class Values {
    private final LayerDecl decl;
    private final Report report;
    private final String label;

    Values(LayerDecl decl, Report report, String label) {
        this.decl = decl;
        this.report = report;
        this.label = label;
    }

    private final java.util.Set<String> invalidAttributes = new java.util.HashSet<>();

    /** Whether {@code attribute} was read and found valid (or not read at all). */
    boolean isValid(String attribute) {
        return !invalidAttributes.contains(attribute);
    }

    private void invalid(String attribute, String text, Object... args) {
        invalidAttributes.add(attribute);
        report.add(Message.INVALID_VALUE, decl.ref(), attribute, label + ":", String.format(text, args));
    }

    /** An int in {@code [min, max]}; {@code min} when out of range. */
    int integer(String attribute, int min, int max) {
        int v = decl.intValue(attribute);
        if (v < min || v > max) {
            invalid(attribute, "%s must be %s, but it is %d", attribute, range(min, max), v);
            return min;
        }
        return v;
    }

    /**
     * One value (used for height and width) or two ({@code {height, width}}), each in {@code [min, max]}. An empty
     * array means {@code fallback} (may be null when the value is required).
     */
    Hw pair(String attribute, int min, int max, Hw fallback) {
        List<Integer> v = decl.intsValue(attribute);
        if (v.isEmpty() && fallback != null) {
            return fallback;
        }
        if (v.isEmpty() || v.size() > 2) {
            invalid(attribute, "%s takes one value (the same for height and width) or two ({height, width}), but %d %s given",
                    attribute, v.size(), v.size() == 1 ? "was" : "were");
            return Hw.square(min);
        }
        int h = v.get(0);
        int w = v.get(v.size() - 1);
        boolean ok = true;
        for (int x : v) {
            if (x < min || x > max) {
                invalid(attribute, "%s must be %s, but it is %s", attribute, range(min, max), v.size() == 1 ? x : v);
                ok = false;
                break;
            }
        }
        return ok ? new Hw(h, w) : Hw.square(min);
    }

    /** A finite double in {@code [min, max)} or {@code [min, max]}; {@code fallback} when out of range. */
    double real(String attribute, double min, double max, boolean maxInclusive, double fallback) {
        double v = decl.doubleValue(attribute);
        boolean ok = Double.isFinite(v) && v >= min && (maxInclusive ? v <= max : v < max);
        if (!ok) {
            invalid(attribute, "%s must be in [%s, %s%s, but it is %s", attribute, fmt(min), fmt(max), maxInclusive ? "]" : ")", fmt(v));
            return fallback;
        }
        return v;
    }

    /** A finite double strictly greater than 0 and below {@code max}; {@code fallback} otherwise. */
    double positive(String attribute, double max, double fallback) {
        double v = decl.doubleValue(attribute);
        if (!(Double.isFinite(v) && v > 0 && v < max)) {
            invalid(attribute, "%s must be greater than 0 and less than %s, but it is %s", attribute, fmt(max), fmt(v));
            return fallback;
        }
        return v;
    }

    boolean bool(String attribute) {
        return decl.booleanValue(attribute);
    }

    <E extends Enum<E>> E enumeration(String attribute, Class<E> type) {
        return Enum.valueOf(type, decl.enumValue(attribute));
    }

    private static String range(int min, int max) {
        if (max == Integer.MAX_VALUE) {
            return "at least " + min;
        }
        return "between " + min + " and " + String.format("%,d", max);
    }

    static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
