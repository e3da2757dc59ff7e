package dev.strider.processor.layer;

import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.Shape;

/** The output is the input: a named point in a network, e.g. the end of a block whose last layer has parameters. */
public final class Identity extends Layer {
    public Identity(LayerDecl decl) {
        super(decl);
    }

    @Override
    public String describe() {
        return "";
    }

    @Override
    public Shape outputShape(Shape in, ShapeContext ctx) {
        return in;
    }
}
