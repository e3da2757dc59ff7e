package dev.strider.processor.layer;

import dev.strider.dsl.Padding;
import dev.strider.dsl.Rounding;
import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.model.Geometry;
import dev.strider.processor.model.Hw;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.ReceptiveField;
import dev.strider.processor.model.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The geometry shared by every sliding-window layer (convolution, max and average pooling): window, stride,
 * padding (explicit or SAME), dilation and rounding. Output size per dimension is
 * {@code (W - F' + 2P) / S + 1} with the dilated window {@code F' = D(F - 1) + 1}; a fractional size is an error
 * under {@link Rounding#STRICT} and rounded under {@code FLOOR}/{@code CEIL}; SAME gives {@code ceil(W / S)}.
 */
public abstract class SpatialFilter extends Layer {
    protected final Hw window;
    protected final Hw stride;
    /** Explicit padding, or {@code null} for SAME. */
    protected final Hw padding;
    protected final Hw dilation;
    protected final Rounding rounding;
    /** Whether the window and the padding were both valid: rules relating them would only echo a stand-in. */
    protected final boolean windowAndPaddingValid;
    private final String windowAttribute;

    protected SpatialFilter(LayerDecl decl, Report report, String windowAttribute, boolean hasDilation, boolean strideDefaultsToWindow) {
        super(decl);
        this.windowAttribute = windowAttribute;
        Values v = new Values(decl, report, label());
        this.window = v.pair(windowAttribute, 1, Limits.MAX_WINDOW, null);
        this.stride = v.pair("stride", 1, Limits.MAX_WINDOW, strideDefaultsToWindow ? window : null);
        this.dilation = hasDilation ? v.pair("dilation", 1, Limits.MAX_WINDOW, null) : Hw.square(1);
        List<Integer> pad = decl.intsValue("padding");
        if (pad.size() == 1 && pad.get(0) == Padding.SAME) {
            this.padding = null;
        } else if (pad.contains(Padding.SAME)) {
            report.add(Message.INVALID_VALUE, decl.ref(), "padding", label() + ":",
                    "padding = SAME stands alone (padding = Padding.SAME), it cannot be combined with other values, but it is {"
                            + pad.stream().map(p -> p == Padding.SAME ? "SAME" : p.toString()).collect(java.util.stream.Collectors.joining(", "))
                            + "}");
            this.padding = Hw.square(0);
        } else {
            this.padding = v.pair("padding", 0, Limits.MAX_PADDING, null);
        }
        this.rounding = v.enumeration("rounding", Rounding.class);
        this.windowAndPaddingValid = v.isValid(windowAttribute) && v.isValid("padding");
    }

    /** The window's name in messages: {@code kernel} or {@code window}. */
    protected String windowNoun() {
        return windowAttribute;
    }

    public Hw window() {
        return window;
    }

    public Hw stride() {
        return stride;
    }

    public Hw dilation() {
        return dilation;
    }

    /** Whether the padding is SAME. */
    public boolean samePadding() {
        return padding == null;
    }

    /** Dilated window extent {@code D(F - 1) + 1}. */
    public long effectiveWindowH() {
        return (long) dilation.h() * (window.h() - 1) + 1;
    }

    public long effectiveWindowW() {
        return (long) dilation.w() * (window.w() - 1) + 1;
    }

    /** Output size and applied padding at input {@code in}, or {@code null} after reporting an error. */
    public Geometry geometry(Shape in, ShapeContext ctx) {
        Rounding mode = ctx.rounding(rounding);
        int ph = padding == null ? -1 : padding.h();
        int pw = padding == null ? -1 : padding.w();
        if (in.height() == in.width() && window.isSquare() && stride.isSquare() && ph == pw && dilation.isSquare()) {
            // Same arithmetic in both dimensions: check (and report) it once.
            Dim both = new Dim(-1, in.height(), window.h(), stride.h(), ph, dilation.h());
            Long o = both.resolve(mode, ctx);
            return o == null ? null : new Geometry(o, o, both.padBefore, both.padBefore, both.padAfter, both.padAfter);
        }
        Dim h = new Dim(0, in.height(), window.h(), stride.h(), ph, dilation.h());
        Dim w = new Dim(1, in.width(), window.w(), stride.w(), pw, dilation.w());
        Long oh = h.resolve(mode, ctx);
        Long ow = w.resolve(mode, ctx);
        if (oh == null || ow == null) {
            return null;
        }
        return new Geometry(oh, ow, h.padBefore, w.padBefore, h.padAfter, w.padAfter);
    }

    /** The output shape with {@code channels} channels, or {@code null} after reporting an error. */
    protected Shape spatialOutput(Shape in, long channels, ShapeContext ctx) {
        if (in.flat()) {
            return ctx.needsSpatial(this, in);
        }
        Geometry g = geometry(in, ctx);
        return g == null ? null : Shape.chw(channels, g.outH(), g.outW());
    }

    @Override
    public ReceptiveField receptiveField(ReceptiveField in, Shape inShape, Shape outShape) {
        return in.through(effectiveWindowH(), effectiveWindowW(), stride.h(), stride.w());
    }

    /** {@code 5x5, stride 2, pad 1, dilation 2}: the geometry in words. */
    protected String geometryText() {
        StringBuilder s = new StringBuilder(window.h() + "x" + window.w());
        if (stride.h() != 1 || stride.w() != 1) {
            s.append(", stride ").append(stride);
        }
        if (padding == null) {
            s.append(", pad same");
        } else if (padding.h() != 0 || padding.w() != 0) {
            s.append(", pad ").append(padding);
        }
        if (dilation.h() != 1 || dilation.w() != 1) {
            s.append(", dilation ").append(dilation);
        }
        if (rounding == Rounding.FLOOR || rounding == Rounding.CEIL) {
            s.append(", ").append(rounding.name().toLowerCase(Locale.ROOT));
        }
        return s.toString();
    }

    /** Whether CEIL is offered as a fix (pooling layers, as in PyTorch's ceil_mode). */
    protected boolean offersCeil() {
        return false;
    }

    /** The largest explicit padding allowed, or -1 for no limit beyond the global one. */
    protected int maxPadding(int windowSize) {
        return -1;
    }

    /** One dimension's arithmetic (or both at once when they are the same). */
    private final class Dim {
        /** 0 = height, 1 = width, -1 = both. */
        final int index;
        final String name;
        final String unit;
        final long in;
        final int k;
        final int s;
        final int p;
        final int d;
        int padBefore;
        int padAfter;

        Dim(int index, long in, int k, int s, int p, int d) {
            this.index = index;
            this.name = index < 0 ? "height and width" : index == 0 ? "height" : "width";
            this.unit = index < 0 ? "row and column" : index == 0 ? "row" : "column";
            this.in = in;
            this.k = k;
            this.s = s;
            this.p = p;
            this.d = d;
        }

        long eff() {
            return (long) d * (k - 1) + 1;
        }

        Long resolve(Rounding mode, ShapeContext ctx) {
            long eff = eff();
            if (p < 0) { // SAME
                long out = ceilDiv(in, s);
                long total = Math.max((out - 1) * s + eff - in, 0);
                padBefore = (int) (total / 2);
                padAfter = (int) (total - total / 2);
                return out;
            }
            padBefore = p;
            padAfter = p;
            long padded = in + 2L * p;
            if (eff > padded) {
                String dil = d == 1 ? "" : " (dilated: " + d + "*(" + k + "-1)+1)";
                ctx.error(SpatialFilter.this, Message.KERNEL_TOO_LARGE, windowAttribute, label(), windowNoun(), name, eff,
                        dil, name, in, p, padded, name,
                        "(" + in + " - " + eff + " + 2*" + p + ")/" + s + " + 1 = " + format((double) (padded - eff) / s + 1),
                        ctx.path(), windowNoun());
                return null;
            }
            long num = padded - eff;
            if (num % s == 0) {
                return num / s + 1;
            }
            switch (mode) {
                case FLOOR:
                    return num / s + 1;
                case CEIL: {
                    long out = ceilDiv(num, s) + 1;
                    if ((out - 1) * s >= in + p) {
                        out--; // PyTorch: the last window must start inside the input or the left padding
                    }
                    return out; // the last window may reach past the padding: kernels clip it, as PyTorch does
                }
                default: {
                    String dil = d == 1 ? "" : " (dilated window " + d + "*(" + k + "-1)+1 = " + eff + ")";
                    String attribute = decl().explicit().contains("stride") ? "stride"
                            : decl().explicit().contains(windowAttribute) ? windowAttribute : null;
                    ctx.error(SpatialFilter.this, Message.FRACTIONAL_OUTPUT, attribute, label(), name, in, eff, p, s,
                            format((double) num / s + 1), dil, fixes(num, eff));
                    return num / s + 1; // best guess, so later layers are still checked
                }
            }
        }

        private String fixes(long num, long eff) {
            List<String> fixes = new ArrayList<>();
            int maxPad = maxPadding(k);
            for (int q = p + 1; q <= p + s && (maxPad < 0 || q <= maxPad); q++) {
                long n = in + 2L * q - eff;
                if (n % s == 0) {
                    fixes.add(value("padding", padding, q) + " gives " + (n / s + 1));
                    break;
                }
            }
            int best = -1;
            for (int t = 1; t <= Math.max(2L * s, 2); t++) {
                if (t != s && num % t == 0 && (best < 0 || Math.abs(t - s) < Math.abs(best - s))) {
                    best = t;
                }
            }
            if (best > 0) {
                fixes.add(value("stride", stride, best) + " gives " + (num / best + 1));
            }
            // The last num % s cells of the padded input are never reached; the last p of them are padding.
            long droppedInput = Math.max(0, num % s - p);
            fixes.add("rounding = FLOOR gives " + (num / s + 1)
                    + (droppedInput == 0 ? " (drops only padding)" : " (drops " + droppedInput + " input " + plural(unit, droppedInput) + ")"));
            if (offersCeil()) {
                long out = ceilDiv(num, s) + 1;
                if ((out - 1) * s >= in + p) {
                    out--;
                }
                fixes.add("rounding = CEIL gives " + out);
            }
            fixes.add("padding = SAME gives " + ceilDiv(in, s));
            String text = String.join("; ", fixes) + ".";
            return Character.toUpperCase(text.charAt(0)) + text.substring(1);
        }

        /**
         * How to write a changed value: {@code padding 1} when both dimensions change alike, else the pair that
         * changes this dimension only, {@code padding = {0, 1}}.
         */
        private String value(String attribute, Hw current, int changed) {
            if (index < 0) {
                return attribute + " " + changed;
            }
            int h = index == 0 ? changed : current.h();
            int w = index == 1 ? changed : current.w();
            return attribute + " = {" + h + ", " + w + "}";
        }
    }

    /** {@code row}, {@code rows}, {@code row and column}, {@code rows and columns}. */
    private static String plural(String unit, long n) {
        return n == 1 ? unit : unit.replace("row", "rows").replace("column", "columns");
    }

    static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    static String format(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
