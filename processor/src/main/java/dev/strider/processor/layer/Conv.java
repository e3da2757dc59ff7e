package dev.strider.processor.layer;

import dev.strider.dsl.Activation;
import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.Shape;
import dev.strider.processor.model.Sizes;
import java.util.ArrayList;
import java.util.List;

/**
 * 2-D convolution. Parameters: {@code filters * (C_in / groups) * kh * kw} weights plus {@code filters} biases.
 * MACs: {@code output elements * (C_in / groups) * kh * kw}.
 */
public final class Conv extends SpatialFilter {
    private final int filters;
    private final int groups;
    private final boolean bias;
    private final Activation activation;
    private final double slope;

    public Conv(LayerDecl decl, Report report) {
        super(decl, report, "kernel", true, false);
        Values v = new Values(decl, report, label());
        this.filters = v.integer("filters", 1, Limits.MAX_UNITS);
        this.groups = v.integer("groups", 1, Limits.MAX_UNITS);
        this.bias = v.bool("bias");
        this.activation = v.enumeration("activation", Activation.class);
        this.slope = activation == Activation.LEAKY_RELU ? v.real("slope", 0, 1, false, 0.01) : decl.doubleValue("slope");
    }

    public int filters() {
        return filters;
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
        return filters + " filters " + geometryText() + (groups != 1 ? ", groups " + groups : "") + (bias ? "" : ", no bias")
                + activationSuffix(activation, slope);
    }

    @Override
    public Shape outputShape(Shape in, ShapeContext ctx) {
        if (in.flat()) {
            return ctx.needsSpatial(this, in);
        }
        if (in.channels() % groups != 0 || filters % groups != 0) {
            List<String> wrong = new ArrayList<>();
            if (in.channels() % groups != 0) {
                wrong.add(in.channels() + " input channels are not divisible by " + groups);
            }
            if (filters % groups != 0) {
                wrong.add(filters + " filters are not divisible by " + groups);
            }
            ctx.error(this, Message.GROUPS_MISMATCH, "groups", label(), groups, in.channels(), filters,
                    String.join(" and ", wrong), "Groups that divide both: " + commonDivisors(in.channels(), filters) + ".");
        }
        return spatialOutput(in, filters, ctx);
    }

    private static String commonDivisors(long a, long b) {
        List<String> out = new ArrayList<>();
        long g = gcd(a, b);
        for (long d = 1; d <= g && out.size() < 12; d++) {
            if (g % d == 0) {
                out.add(Long.toString(d));
            }
        }
        return String.join(", ", out);
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    @Override
    public long params(Shape in) {
        return Sizes.add(Sizes.mul(filters, in.channels() / groups, window.h(), window.w()), bias ? filters : 0);
    }

    @Override
    public long macs(Shape in, Shape out) {
        return Sizes.mul(out.size(), in.channels() / groups, window.h(), window.w());
    }
}
