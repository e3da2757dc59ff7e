package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** Declared training: a frozen layer, a learning-rate multiplier, and a frozen, slower block whose own field multiplies again. */
@Network(maxBatch = 4)
@Input(channels = 2, height = 6, width = 6)
public abstract class DeclaredTraining {
    @Frozen @Conv(filters = 3, kernel = 3, activation = Activation.RELU) Layer stem;          // [3,4,4]
    @Frozen @LearningRate(0.1) @Use(Pair.class) Layer pair;                                   // pair_a, pair (the block's last layer)
    @LearningRate(0.5) @Dense(units = 3) Layer head;

    @Block
    public abstract static class Pair {
        @Conv(filters = 3, kernel = 1, activation = Activation.RELU) Layer a;
        @LearningRate(0.25) @Conv(filters = 3, kernel = 1) Layer b;
    }
}
