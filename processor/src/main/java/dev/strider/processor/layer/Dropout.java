package dev.strider.processor.layer;

import dev.strider.processor.diag.Report;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.Shape;

/** Inverted dropout with drop probability {@code rate} in {@code [0, 1)}; shape unchanged. */
public final class Dropout extends Layer {
    private final double rate;

    public Dropout(LayerDecl decl, Report report) {
        super(decl);
        this.rate = new Values(decl, report, label()).real("rate", 0, 1, false, 0);
    }

    public double rate() {
        return rate;
    }

    @Override
    public String describe() {
        return "rate " + Values.fmt(rate);
    }

    @Override
    public Shape outputShape(Shape in, ShapeContext ctx) {
        return in;
    }
}
