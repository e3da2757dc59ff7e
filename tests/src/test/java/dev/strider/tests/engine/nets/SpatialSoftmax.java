package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** A trailing softmax on a spatial output: per position over channels, not fused into the loss. */
@Network(maxBatch = 2)
@Input(channels = 3, height = 1, width = 2)
public abstract class SpatialSoftmax {
    @Softmax Layer probs;
}
