package dev.strider.samples;

import static dev.strider.dsl.Activation.RELU;

import dev.strider.dsl.Conv;
import dev.strider.dsl.Dense;
import dev.strider.dsl.Input;
import dev.strider.dsl.Layer;
import dev.strider.dsl.MaxPool;
import dev.strider.dsl.Network;

/**
 * LeNet-5 for 28x28 images (Fashion-MNIST): c1 pads by 2 so that the classic 32x32 geometry is kept, ReLU
 * instead of the original squashing, max pooling instead of subsampling.
 */
@Network(maxBatch = 64, expectParams = 61_706)
@Input(channels = 1, height = 28, width = 28)
public abstract class LeNet5 {
    @Conv(filters = 6, kernel = 5, padding = 2, activation = RELU) Layer c1;   // (28 - 5 + 2*2)/1 + 1 = 28
    @MaxPool(window = 2) Layer s2;                                             // 28 / 2 = 14
    @Conv(filters = 16, kernel = 5, activation = RELU) Layer c3;               // (14 - 5)/1 + 1 = 10
    @MaxPool(window = 2) Layer s4;                                             // 10 / 2 = 5
    @Dense(units = 120, activation = RELU) Layer f5;                           // flattens 16*5*5 = 400
    @Dense(units = 84, activation = RELU) Layer f6;
    @Dense(units = 10) Layer output;
}
