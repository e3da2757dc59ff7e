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
 * A layer that merges two or more inputs named with {@code @From}: {@code Add} (element-wise sum of equal shapes,
 * an optional activation on the sum) or {@code Concat} (channels joined in {@code @From}'s order; flat inputs joined
 * end to end). No parameters, no MACs; the receptive field is the largest over the merged paths.
 */
public final class Merge extends Layer {
    private final boolean add;
    private final Activation activation;
    private final double slope;

    public Merge(LayerDecl decl, Report report, boolean add) {
        super(decl);
        this.add = add;
        if (add) {
            Values v = new Values(decl, report, label());
            Activation a = v.enumeration("activation", Activation.class);
            if (a == Activation.SOFTMAX) {
                report.add(Message.INVALID_VALUE, decl.ref(), "activation", label() + ":",
                        "activation = SOFTMAX is not available on an add (add, then a @Softmax layer)");
                a = Activation.NONE;
            }
            this.activation = a;
            this.slope = a == Activation.LEAKY_RELU ? v.real("slope", 0, 1, false, 0.01) : decl.doubleValue("slope");
        } else {
            this.activation = Activation.NONE;
            this.slope = 0;
        }
    }

    /** Add (true) or Concat (false). */
    public boolean isAdd() {
        return add;
    }

    public double slope() {
        return slope;
    }

    @Override
    public Activation activation() {
        return activation;
    }

    @Override
    public boolean merge() {
        return true;
    }

    @Override
    public String describe() {
        return (add ? "sum" : "channels") + " of " + String.join(", ", decl().from()) + activationSuffix(activation, slope);
    }

    @Override
    public Shape outputShape(Shape in, ShapeContext ctx) {
        throw new IllegalStateException(label() + " merges several inputs");
    }

    @Override
    public Shape outputShape(List<Shape> ins, List<String> paths, ShapeContext ctx) {
        if (add) {
            for (int i = 1; i < ins.size(); i++) {
                if (!ins.get(i).equals(ins.get(0))) {
                    ctx.report().add(Message.MERGE_SHAPES, decl().fromRef(), "value", label(), "adds its inputs value by value, so they must have one shape",
                            describe(ins, paths, 0, i), "Make the branches end in the same shape (a 1x1 convolution with the "
                                    + "right filters and stride on the shortcut, as ResNet does).");
                    return null;
                }
            }
            return ins.get(0);
        }
        boolean flat = ins.get(0).flat();
        long channels = 0;
        for (int i = 0; i < ins.size(); i++) {
            Shape s = ins.get(i);
            if (s.flat() != flat || (!flat && (s.height() != ins.get(0).height() || s.width() != ins.get(0).width()))) {
                ctx.report().add(Message.MERGE_SHAPES, decl().fromRef(), "value", label(),
                        "joins its inputs' channels, so they must all be spatial with one height and width (or all flat)",
                        describe(ins, paths, 0, i), "Pool or pad the branches to the same height and width.");
                return null;
            }
            channels = Sizes.add(channels, flat ? s.size() : s.channels());
        }
        return flat ? Shape.vector(channels) : Shape.chw(channels, ins.get(0).height(), ins.get(0).width());
    }

    private String describe(List<Shape> ins, List<String> paths, int a, int b) {
        List<String> parts = new ArrayList<>();
        for (int i : new int[] {a, b}) {
            parts.add("\"" + decl().from().get(i) + "\" gives " + ins.get(i) + " (path: " + paths.get(i) + ")");
        }
        return String.join(" while ", parts);
    }
}
