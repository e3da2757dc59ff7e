package dev.strider.tests.gpu.nets;

import static dev.strider.dsl.Activation.RELU;

import dev.strider.dsl.Conv;
import dev.strider.dsl.Dense;
import dev.strider.dsl.Input;
import dev.strider.dsl.Layer;
import dev.strider.dsl.MaxPool;
import dev.strider.dsl.Network;

/** The LeNet-5 sample with batches up to 256, for the GPU benchmark's throughput run. */
@Network(maxBatch = 256, expectParams = 61_706)
@Input(channels = 1, height = 28, width = 28)
public abstract class LeNet5Bench {
    @Conv(filters = 6, kernel = 5, padding = 2, activation = RELU) Layer c1;
    @MaxPool(window = 2) Layer s2;
    @Conv(filters = 16, kernel = 5, activation = RELU) Layer c3;
    @MaxPool(window = 2) Layer s4;
    @Dense(units = 120, activation = RELU) Layer f5;
    @Dense(units = 84, activation = RELU) Layer f6;
    @Dense(units = 10) Layer output;
}
