package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** Batch normalisation as the first layer: its backward writes d gamma, d beta and d input in one pass. */
@Network(maxBatch = 4)
@Input(channels = 2, height = 3, width = 3)
public abstract class BnFirst {
    @BatchNorm Layer bn;
    @ReLU Layer relu;
    @Dense(units = 3) Layer fc;
}
