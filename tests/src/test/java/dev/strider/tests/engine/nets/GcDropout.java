package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** Dropout between dense layers, with standalone sigmoid and leaky ReLU. */
@Network(maxBatch = 4)
@Input(channels = 6, height = 1, width = 1)
public abstract class GcDropout {
    @Dense(units = 8) Layer fc1;
    @Sigmoid Layer sig;
    @Dropout(rate = 0.3) Layer drop;
    @Dense(units = 5) Layer fc2;
    @LeakyReLU(slope = 0.2) Layer leaky;
    @Dense(units = 3) Layer head;
    @Softmax Layer probs;   // fused into the cross-entropy loss
}
