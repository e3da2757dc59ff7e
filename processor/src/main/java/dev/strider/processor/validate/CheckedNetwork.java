package dev.strider.processor.validate;

import dev.strider.processor.model.NetworkDecl;
import dev.strider.processor.model.Shape;
import java.util.List;

/**
 * A network whose every layer checked out: the input to code generation and reports. All counts are per image;
 * activation counts are the values each layer outputs.
 */
public record CheckedNetwork(NetworkDecl decl, Shape input, List<CheckedLayer> layers) {
    public CheckedNetwork {
        layers = List.copyOf(layers);
    }

    public Shape output() {
        return layers.get(layers.size() - 1).out();
    }

    public long params() {
        return layers.stream().mapToLong(CheckedLayer::params).sum();
    }

    public long nonTrainableParams() {
        return layers.stream().mapToLong(CheckedLayer::nonTrainableParams).sum();
    }

    public long macs() {
        return layers.stream().mapToLong(CheckedLayer::macs).sum();
    }

    /** Values all layers output for one image (the input not included). */
    public long activations() {
        return layers.stream().mapToLong(l -> l.out().size()).sum();
    }
}
