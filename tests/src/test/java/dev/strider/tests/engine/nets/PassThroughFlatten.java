package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** Nothing but a flatten, trained with mean squared error: output = input, d input = d output. */
@Network(maxBatch = 4, loss = Loss.MEAN_SQUARED_ERROR)
@Input(channels = 2, height = 2, width = 2)
public abstract class PassThroughFlatten {
    @Flatten Layer flat;
}
