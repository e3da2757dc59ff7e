package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** Strided, padded convolution with a fused sigmoid. */
@Network(maxBatch = 4)
@Input(channels = 2, height = 5, width = 5)
public abstract class GcConv {
    @Conv(filters = 3, kernel = 3, stride = 2, padding = 1, activation = Activation.SIGMOID) Layer conv;   // (5+1+1-3)/2+1 = 3
    @Dense(units = 4) Layer head;
}
