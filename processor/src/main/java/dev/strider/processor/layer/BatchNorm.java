package dev.strider.processor.layer;

import dev.strider.processor.diag.Report;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.Shape;

/**
 * Batch normalization per channel (per unit of a flat input): 2 trainable parameters per channel (scale, shift)
 * and 2 values of non-trainable state (running mean, running variance), counted as PyTorch does.
 */
public final class BatchNorm extends Layer {
    private final double epsilon;
    private final double momentum;

    public BatchNorm(LayerDecl decl, Report report) {
        super(decl);
        Values v = new Values(decl, report, label());
        this.epsilon = v.positive("epsilon", 1, 1e-5);
        this.momentum = v.real("momentum", 0, 1, true, 0.1);
    }

    public double epsilon() {
        return epsilon;
    }

    public double momentum() {
        return momentum;
    }

    /** Normalised channels: channels of a spatial input, every value of a flat one. */
    public static long channels(Shape in) {
        return in.flat() ? in.size() : in.channels();
    }

    @Override
    public String describe() {
        return "eps " + Values.fmt(epsilon) + ", momentum " + Values.fmt(momentum);
    }

    @Override
    public Shape outputShape(Shape in, ShapeContext ctx) {
        return in;
    }

    @Override
    public long params(Shape in) {
        return 2 * channels(in);
    }

    @Override
    public long nonTrainableParams(Shape in) {
        return 2 * channels(in);
    }
}
