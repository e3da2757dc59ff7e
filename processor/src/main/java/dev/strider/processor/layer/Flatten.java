package dev.strider.processor.layer;

import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.Shape;

/** {@code [C, H, W] -> [C*H*W]}, C-major; no arithmetic. */
public final class Flatten extends Layer {
    public Flatten(LayerDecl decl) {
        super(decl);
    }

    @Override
    public String describe() {
        return "";
    }

    @Override
    public Shape outputShape(Shape in, ShapeContext ctx) {
        return in.flattened();
    }
}
