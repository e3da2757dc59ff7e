package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** Channel shuffle, bilinear upsampling by {2, 3}, adaptive average pooling with overlapping bins, nearest upsampling. */
@Network(maxBatch = 4)
@Input(channels = 4, height = 2, width = 3)
public abstract class GcResample {
    @Conv(filters = 4, kernel = 1, activation = Activation.TANH) Layer mix;       // [4,2,3]
    @ChannelShuffle(groups = 2) Layer shuffle;
    @Upsample(scale = {2, 3}, mode = Upsample.Mode.BILINEAR) Layer up;             // [4,4,9]
    @AdaptiveAvgPool(size = {3, 4}) Layer pool;                                    // [4,3,4], bins overlap
    @Upsample(scale = 2) Layer near;                                               // [4,6,8]
    @Dense(units = 3) Layer head;
}
