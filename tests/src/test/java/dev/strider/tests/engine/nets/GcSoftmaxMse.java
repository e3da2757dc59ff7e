package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** A softmax inside the network (allowed with mean squared error), channel-wise on a spatial map. */
@Network(maxBatch = 4, loss = Loss.MEAN_SQUARED_ERROR)
@Input(channels = 3, height = 3, width = 3)
public abstract class GcSoftmaxMse {
    @Conv(filters = 4, kernel = 1, activation = Activation.SOFTMAX) Layer attn;
    @Conv(filters = 2, kernel = 2) Layer conv;                       // 2x2
    @Softmax Layer norm;                                             // over the 2 channels at each position
    @Dense(units = 3, activation = Activation.TANH) Layer out;
}
