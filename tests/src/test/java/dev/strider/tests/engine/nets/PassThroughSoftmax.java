package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** Nothing but a softmax fused into the loss: the engine must still own its output. */
@Network(maxBatch = 4)
@Input(channels = 5, height = 1, width = 1)
public abstract class PassThroughSoftmax {
    @Softmax Layer probs;
}
