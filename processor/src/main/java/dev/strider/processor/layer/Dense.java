package dev.strider.processor.layer;

import dev.strider.dsl.Activation;
import dev.strider.processor.diag.Report;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.ReceptiveField;
import dev.strider.processor.model.Shape;
import dev.strider.processor.model.Sizes;

/**
 * Fully connected layer over the whole (implicitly flattened) input: {@code in * units} weights plus
 * {@code units} biases; MACs {@code in * units}. Each output sees every input position, so the receptive field
 * grows by the spatial extent the input was flattened from.
 */
public final class Dense extends Layer {
    private final int units;
    private final boolean bias;
    private final Activation activation;
    private final double slope;

    public Dense(LayerDecl decl, Report report) {
        super(decl);
        Values v = new Values(decl, report, label());
        this.units = v.integer("units", 1, Limits.MAX_UNITS);
        this.bias = v.bool("bias");
        this.activation = v.enumeration("activation", Activation.class);
        this.slope = activation == Activation.LEAKY_RELU ? v.real("slope", 0, 1, false, 0.01) : decl.doubleValue("slope");
    }

    public int units() {
        return units;
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
        return units + " units" + (bias ? "" : ", no bias") + activationSuffix(activation, slope);
    }

    /** Whether the input is flattened implicitly (it is spatial). */
    public static boolean flattens(Shape in) {
        return !in.flat();
    }

    @Override
    public Shape outputShape(Shape in, ShapeContext ctx) {
        return Shape.vector(units);
    }

    @Override
    public long params(Shape in) {
        return Sizes.add(Sizes.mul(in.size(), units), bias ? units : 0);
    }

    @Override
    public long macs(Shape in, Shape out) {
        return Sizes.mul(in.size(), units);
    }

    @Override
    public ReceptiveField receptiveField(ReceptiveField in, Shape inShape, Shape outShape) {
        return in.through(inShape.height(), inShape.width(), inShape.height(), inShape.width());
    }
}
