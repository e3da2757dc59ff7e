package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/**
 * Branches and merges: the input feeds two layers, c1 feeds batch norm and a three-way sum, the sum feeds a flatten
 * (an alias) and a dense layer, and a concatenation takes one layer twice; every fan-out sums gradients.
 */
@Network(maxBatch = 4)
@Input(channels = 2, height = 4, width = 4)
public abstract class GcGraph {
    @Conv(filters = 3, kernel = 3, padding = 1, activation = Activation.TANH) Layer c1;                  // [3,4,4]
    @BatchNorm Layer bn;                                                                                  // [3,4,4]
    @Conv(filters = 3, kernel = 1) @From("input") Layer shortcut;                                        // [3,4,4]
    @Add(activation = Activation.LEAKY_RELU, slope = 0.1) @From({"bn", "shortcut", "c1"}) Layer sum;     // [3,4,4]
    @Flatten Layer flat;                                                                                  // [48]
    @Dense(units = 5, activation = Activation.SIGMOID) Layer fc;                                          // [5]
    @Dense(units = 4, activation = Activation.TANH) @From("sum") Layer side;                             // [4]
    @Concat @From({"fc", "side", "fc"}) Layer joined;                                                     // [14]
    @Dense(units = 3) Layer head;                                                                         // [3]
}
