package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** A 5x5 kernel with padding 2 on a single row: whole kernel rows fall in the padding. */
@Network(maxBatch = 4)
@Input(channels = 2, height = 1, width = 3)
public abstract class BigPadConv {
    @Conv(filters = 3, kernel = 5, padding = 2, activation = Activation.TANH) Layer conv; // rows (1+2+2-5)/1+1 = 1, columns 3
    @Dense(units = 2) Layer head;
}
