package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** L2 pooling: overlapping windows with padding, then a non-square window with a non-square stride. */
@Network(maxBatch = 4)
@Input(channels = 2, height = 5, width = 5)
public abstract class GcL2Pool {
    @Conv(filters = 3, kernel = 3, padding = 1, activation = Activation.TANH) Layer conv;   // [3,5,5]
    @L2Pool(window = 3, stride = 2, padding = 1) Layer pool1;                                 // [3,3,3]
    @L2Pool(window = {2, 3}, stride = {1, 2}) Layer pool2;         // [3,2,1]
    @Dense(units = 3) Layer head;
}
