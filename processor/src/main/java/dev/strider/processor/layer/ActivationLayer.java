package dev.strider.processor.layer;

import dev.strider.dsl.Activation;
import dev.strider.processor.diag.Report;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.Shape;

/** A standalone element-wise (or, for softmax, per-position channel-wise) activation; shape unchanged. */
public final class ActivationLayer extends Layer {
    private final Activation activation;
    private final double slope;

    public ActivationLayer(LayerDecl decl, Report report, Activation activation) {
        super(decl);
        this.activation = activation;
        this.slope = activation == Activation.LEAKY_RELU ? new Values(decl, report, label()).real("slope", 0, 1, false, 0.01) : 0;
    }

    @Override
    public Activation activation() {
        return activation;
    }

    public double slope() {
        return slope;
    }

    @Override
    public String describe() {
        return activation == Activation.LEAKY_RELU ? "slope " + Values.fmt(slope) : "";
    }

    @Override
    public Shape outputShape(Shape in, ShapeContext ctx) {
        return in;
    }
}
