package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** Batch normalisation over channels and over a flat vector, in training mode. */
@Network(maxBatch = 4)
@Input(channels = 2, height = 4, width = 4)
public abstract class GcBatchNorm {
    @Conv(filters = 3, kernel = 3, padding = 1, bias = false) Layer conv;
    @BatchNorm Layer bn;
    @ReLU Layer relu;
    @Dense(units = 5) Layer fc;
    @BatchNorm(epsilon = 1e-3, momentum = 0.2) Layer bn1d;
    @Tanh Layer tanh;
    @Dense(units = 3) Layer head;
}
