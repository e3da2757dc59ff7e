package dev.strider.processor.model;

import java.util.List;

/**
 * The shape of one image's activations, without the batch dimension. A spatial shape is {@code [C, H, W]}; a
 * flat shape ({@code [N]}, produced by flatten and dense layers) keeps the spatial extent it was flattened from
 * in {@code height}/{@code width}, so that receptive fields stay exact through the flattening. Sizes are
 * {@code long} so that overflow can be detected and reported instead of wrapping.
 */
public record Shape(long channels, long height, long width, boolean flat) {

    public static Shape chw(long channels, long height, long width) {
        return new Shape(channels, height, width, false);
    }

    /** A flat vector of {@code n} values with no spatial origin (e.g. a dense layer's output). */
    public static Shape vector(long n) {
        return new Shape(n, 1, 1, true);
    }

    /** This shape flattened: same elements, same spatial origin. */
    public Shape flattened() {
        return new Shape(channels, height, width, true);
    }

    /** Number of values per image. */
    public long size() {
        return Sizes.mul(channels, height, width);
    }

    /** The dimensions as a user sees them: {@code [C, H, W]} or {@code [N]}. */
    public List<Long> dims() {
        return flat ? List.of(size()) : List.of(channels, height, width);
    }

    @Override
    public String toString() {
        return flat ? "[" + size() + "]" : "[" + channels + "," + height + "," + width + "]";
    }
}
