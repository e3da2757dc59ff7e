package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/**
 * The last layer is an alias (a flatten) of a layer that another layer takes too: the loss's gradient and that
 * layer's must be summed (the loss writes d loss / d output first).
 */
@Network(maxBatch = 4, loss = Loss.MEAN_SQUARED_ERROR)
@Input(channels = 2, height = 3, width = 3)
public abstract class GcAliasLastMse {
    @Conv(filters = 2, kernel = 3, padding = 1, activation = Activation.TANH) Layer c;   // [2,3,3]
    @SuppressWarnings("strider:unused-output")
    @Tanh @From("c") Layer side;                                                         // its gradient is 0, but it is written
    @Flatten @From("c") Layer out;                                                       // [18], an alias of c
}
