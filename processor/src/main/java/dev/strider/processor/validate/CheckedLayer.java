package dev.strider.processor.validate;

import dev.strider.processor.layer.Layer;
import dev.strider.processor.model.ReceptiveField;
import dev.strider.processor.model.Shape;
import java.util.List;

/**
 * A layer with everything shape inference found out about it, per image. {@code inputs} names what it takes
 * ({@code "input"} or earlier layers, one unless it merges), {@code ins} their shapes; {@code in} is the first.
 */
public record CheckedLayer(Layer layer, List<String> inputs, List<Shape> ins, Shape out, long params, long nonTrainableParams,
        long macs, ReceptiveField receptiveField) {
    public CheckedLayer {
        inputs = List.copyOf(inputs);
        ins = List.copyOf(ins);
    }

    public String name() {
        return layer.name();
    }

    /** The (first) input's shape. */
    public Shape in() {
        return ins.get(0);
    }
}
