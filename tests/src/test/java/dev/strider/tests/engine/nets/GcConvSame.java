package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** SAME padding at stride 2 on an odd input (asymmetric padding), fused leaky ReLU, no bias. */
@Network(maxBatch = 4)
@Input(channels = 3, height = 7, width = 7)
public abstract class GcConvSame {
    @Conv(filters = 4, kernel = 3, stride = 2, padding = Padding.SAME, bias = false, activation = Activation.LEAKY_RELU, slope = 0.1) Layer conv;
    @Dense(units = 3) Layer head;
}
