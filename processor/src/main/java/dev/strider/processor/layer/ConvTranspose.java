package dev.strider.processor.layer;

import dev.strider.dsl.Activation;
import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.model.Hw;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.ReceptiveField;
import dev.strider.processor.model.Shape;
import dev.strider.processor.model.Sizes;

/**
 * Transposed convolution: output {@code (in - 1)*S - 2P + D*(K - 1) + OP + 1} per dimension. Parameters:
 * {@code in * (filters / groups) * kh * kw} weights plus {@code filters} biases. MACs: every input value times
 * {@code (filters / groups) * kh * kw}. Receptive field: an output sees {@code ceil(K' / S)} inputs per dimension
 * ({@code K'} the dilated kernel), and neighbouring outputs are {@code jump / S} input pixels apart (rounded down, at
 * least 1: the report's jump is a whole number).
 */
public final class ConvTranspose extends Layer {
    private final int filters;
    private final Hw kernel;
    private final Hw stride;
    private final Hw padding;
    private final Hw outputPadding;
    private final Hw dilation;
    private final int groups;
    private final boolean bias;
    private final Activation activation;
    private final double slope;

    public ConvTranspose(LayerDecl decl, Report report) {
        super(decl);
        Values v = new Values(decl, report, label());
        this.filters = v.integer("filters", 1, Limits.MAX_UNITS);
        this.kernel = v.pair("kernel", 1, Limits.MAX_WINDOW, null);
        this.stride = v.pair("stride", 1, Limits.MAX_WINDOW, Hw.square(1));
        this.padding = v.pair("padding", 0, Limits.MAX_PADDING, Hw.square(0));
        this.outputPadding = v.pair("outputPadding", 0, Limits.MAX_PADDING, Hw.square(0));
        this.dilation = v.pair("dilation", 1, Limits.MAX_WINDOW, Hw.square(1));
        this.groups = v.integer("groups", 1, Limits.MAX_UNITS);
        this.bias = v.bool("bias");
        this.activation = v.enumeration("activation", Activation.class);
        this.slope = activation == Activation.LEAKY_RELU ? v.real("slope", 0, 1, false, 0.01) : decl.doubleValue("slope");
        if (outputPadding.h() >= Math.max(stride.h(), dilation.h()) || outputPadding.w() >= Math.max(stride.w(), dilation.w())) {
            report.add(Message.INVALID_VALUE, decl.ref(), "outputPadding", label() + ":", "outputPadding " + text(outputPadding)
                    + " must be smaller than the stride " + text(stride) + " or the dilation " + text(dilation)
                    + " (a larger one would add outputs that no input reaches)");
        }
    }

    private static String text(Hw v) {
        return v.h() == v.w() ? Integer.toString(v.h()) : "{" + v.h() + ", " + v.w() + "}";
    }

    public int filters() {
        return filters;
    }

    public Hw kernel() {
        return kernel;
    }

    public Hw stride() {
        return stride;
    }

    public Hw padding() {
        return padding;
    }

    public Hw dilation() {
        return dilation;
    }

    public int groups() {
        return groups;
    }

    public boolean bias() {
        return bias;
    }

    public double slope() {
        return slope;
    }

    @Override
    public Activation activation() {
        return activation;
    }

    @Override
    public boolean startsLinear() {
        return true;
    }

    @Override
    public String describe() {
        return filters + " filters " + text(kernel) + ", stride " + text(stride) + (padding.h() + padding.w() > 0 ? ", pad " + text(padding) : "")
                + (outputPadding.h() + outputPadding.w() > 0 ? ", output pad " + text(outputPadding) : "")
                + (dilation.h() * dilation.w() > 1 ? ", dilation " + text(dilation) : "") + (groups != 1 ? ", groups " + groups : "")
                + (bias ? "" : ", no bias") + activationSuffix(activation, slope);
    }

    /** One dimension's output size. */
    static long size(long in, int k, int s, int p, int op, int d) {
        return (in - 1) * s - 2L * p + (long) d * (k - 1) + op + 1;
    }

    @Override
    public Shape outputShape(Shape in, ShapeContext ctx) {
        if (in.flat()) {
            return ctx.needsSpatial(this, in);
        }
        if (in.channels() % groups != 0 || filters % groups != 0) {
            ctx.error(this, Message.GROUPS_MISMATCH, "groups", label(), groups, in.channels(), filters,
                    (in.channels() % groups != 0 ? in.channels() + " input channels" : filters + " filters") + " are not divisible by " + groups,
                    "Use a groups value that divides both.");
        }
        long h = size(in.height(), kernel.h(), stride.h(), padding.h(), outputPadding.h(), dilation.h());
        long w = size(in.width(), kernel.w(), stride.w(), padding.w(), outputPadding.w(), dilation.w());
        if (h < 1 || w < 1) {
            ctx.report().add(Message.INVALID_VALUE, ref(), "padding", label() + ":", String.format(java.util.Locale.ROOT,
                    "padding %s leaves no output: (%d - 1)*%d - 2*%d + %d*(%d - 1) + %d + 1 = %d rows, (%d - 1)*%d - 2*%d + %d*(%d - 1) + %d + 1 = %d columns; "
                            + "use less padding", text(padding), in.height(), stride.h(), padding.h(), dilation.h(), kernel.h(), outputPadding.h(), h,
                    in.width(), stride.w(), padding.w(), dilation.w(), kernel.w(), outputPadding.w(), w));
            return null;
        }
        return Shape.chw(filters, h, w);
    }

    @Override
    public long params(Shape in) {
        return Sizes.add(Sizes.mul(in.channels(), filters / groups, kernel.h(), kernel.w()), bias ? filters : 0);
    }

    @Override
    public long macs(Shape in, Shape out) {
        return Sizes.mul(in.size(), filters / groups, kernel.h(), kernel.w());
    }

    @Override
    public ReceptiveField receptiveField(ReceptiveField in, Shape inShape, Shape outShape) {
        long kh = ((long) dilation.h() * (kernel.h() - 1) + 1 + stride.h() - 1) / stride.h();
        long kw = ((long) dilation.w() * (kernel.w() - 1) + 1 + stride.w() - 1) / stride.w();
        return new ReceptiveField(Sizes.add(in.sizeH(), Sizes.mul(kh - 1, in.jumpH())), Sizes.add(in.sizeW(), Sizes.mul(kw - 1, in.jumpW())),
                Math.max(1, in.jumpH() / stride.h()), Math.max(1, in.jumpW() / stride.w()));
    }
}
