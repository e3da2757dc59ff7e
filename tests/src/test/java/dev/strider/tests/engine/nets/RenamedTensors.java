package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** Layers whose tensors go by other names ({@code @TensorName}), as a PyTorch module path would give them. */
@Network(maxBatch = 2)
@Input(channels = 3, height = 8, width = 8)
public abstract class RenamedTensors {
    @TensorName("features.0") @Conv(filters = 4, kernel = 3, padding = 1) Layer conv1;      // [4,8,8]
    @TensorName("features.1") @BatchNorm Layer bn1;
    @ReLU Layer relu;
    @MaxPool(window = 2) Layer pool;                                                         // [4,4,4]
    @Dense(units = 5, activation = Activation.RELU) Layer hidden;                          // keeps its own name
    @TensorName("classifier.fc-out") @Dense(units = 3) Layer head;
}
