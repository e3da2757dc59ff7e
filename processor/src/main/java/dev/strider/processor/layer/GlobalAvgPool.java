package dev.strider.processor.layer;

import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.ReceptiveField;
import dev.strider.processor.model.Shape;

/** Global average pooling: {@code [C, H, W] -> [C, 1, 1]}; the receptive field grows by the whole map. */
public final class GlobalAvgPool extends Layer {
    public GlobalAvgPool(LayerDecl decl) {
        super(decl);
    }

    @Override
    public String describe() {
        return "mean over height and width";
    }

    @Override
    public Shape outputShape(Shape in, ShapeContext ctx) {
        return in.flat() ? ctx.needsSpatial(this, in) : Shape.chw(in.channels(), 1, 1);
    }

    @Override
    public ReceptiveField receptiveField(ReceptiveField in, Shape inShape, Shape outShape) {
        return in.through(inShape.height(), inShape.width(), inShape.height(), inShape.width());
    }
}
