package dev.strider.processor.layer;

import dev.strider.processor.diag.Report;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.Shape;

/**
 * Local response normalization across channels: no parameters, the shape kept; each value divided by
 * {@code (k + alpha / size * sum of squares of the size channels around it)^beta}.
 */
public final class Lrn extends Layer {
    private final int size;
    private final double alpha;
    private final double beta;
    private final double k;

    public Lrn(LayerDecl decl, Report report) {
        super(decl);
        Values v = new Values(decl, report, label());
        this.size = v.integer("size", 1, Limits.MAX_WINDOW);
        this.alpha = v.real("alpha", 0, 1e6, true, 1e-4);
        this.beta = v.positive("beta", 1e6, 0.75);
        this.k = v.positive("k", 1e6, 1.0);
    }

    public int size() {
        return size;
    }

    public double alpha() {
        return alpha;
    }

    public double beta() {
        return beta;
    }

    public double k() {
        return k;
    }

    @Override
    public String describe() {
        return "size " + size + ", alpha " + Values.fmt(alpha) + ", beta " + Values.fmt(beta) + ", k " + Values.fmt(k);
    }

    @Override
    public Shape outputShape(Shape in, ShapeContext ctx) {
        return in;
    }

    @Override
    public boolean endsNonlinear() {
        return true;
    }
}
