package dev.strider.processor.validate;

import dev.strider.processor.layer.Layer;
import dev.strider.processor.model.ReceptiveField;
import dev.strider.processor.model.Shape;

/** A layer with everything shape inference found out about it, per image. */
public record CheckedLayer(
        Layer layer, Shape in, Shape out, long params, long nonTrainableParams, long macs, ReceptiveField receptiveField) {
    public String name() {
        return layer.name();
    }
}
