package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** Dilated, grouped, rectangular convolution with a fused tanh. */
@Network(maxBatch = 4)
@Input(channels = 4, height = 7, width = 9)
public abstract class GcConvDilatedGroups {
    @Conv(filters = 6, kernel = {3, 2}, stride = {1, 2}, padding = {2, 1}, dilation = 2, groups = 2, activation = Activation.TANH) Layer conv; // rows (7+2+2-5)/1+1 = 7, columns (9+1+1-3)/2+1 = 5
    @Flatten Layer flat;
    @Dense(units = 3) Layer head;
}
