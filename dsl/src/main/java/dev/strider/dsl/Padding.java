package dev.strider.dsl;

/** Special padding values for {@code padding} of {@link Conv}, {@link MaxPool} and {@link AvgPool}. */
public final class Padding {
    /**
     * "Same" padding: the output size is {@code ceil(W / S)} and the padding needed for it is split between
     * both sides, the extra row/column going to the bottom/right (TensorFlow's convention).
     */
    public static final int SAME = Integer.MIN_VALUE;

    private Padding() {}
}
