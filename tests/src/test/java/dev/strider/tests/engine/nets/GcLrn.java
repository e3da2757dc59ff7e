package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** Local response normalization with a large alpha, odd and even window sizes, spatial and flat. */
@Network(maxBatch = 4)
@Input(channels = 5, height = 3, width = 3)
public abstract class GcLrn {
    @LRN(size = 3, alpha = 2.0, beta = 0.75, k = 1.5) Layer norm1;
    @Conv(filters = 4, kernel = 3, activation = Activation.TANH) Layer conv;   // [4,1,1]
    @LRN(size = 2, alpha = 1.0, beta = 1.2, k = 1.0) Layer norm2;
    @Dense(units = 3) Layer head;
}
