package dev.strider.samples;

import static dev.strider.dsl.Activation.RELU;

import dev.strider.dsl.BatchNorm;
import dev.strider.dsl.Conv;
import dev.strider.dsl.Dense;
import dev.strider.dsl.Dropout;
import dev.strider.dsl.Input;
import dev.strider.dsl.Layer;
import dev.strider.dsl.MaxPool;
import dev.strider.dsl.Network;
import dev.strider.dsl.ReLU;

/**
 * "2 conv + pooling + batch norm", the Fashion-MNIST benchmark family listed at 0.934: two 3x3 convolutions with
 * batch normalisation (no bias: the normalisation's shift replaces it), ReLU and 2x2 max pooling, then a dense
 * layer with dropout.
 */
@Network(maxBatch = 128, expectParams = 220_330)
@Input(channels = 1, height = 28, width = 28)
public abstract class ConvBnNet {
    @Conv(filters = 32, kernel = 3, padding = 1, bias = false) Layer conv1;   // 28
    @BatchNorm Layer bn1;
    @ReLU Layer relu1;
    @MaxPool(window = 2) Layer pool1;                                         // 14
    @Conv(filters = 64, kernel = 3, padding = 1, bias = false) Layer conv2;   // 14
    @BatchNorm Layer bn2;
    @ReLU Layer relu2;
    @MaxPool(window = 2) Layer pool2;                                         // 7
    @Dropout(rate = 0.25) Layer drop1;
    @Dense(units = 64, activation = RELU) Layer fc1;                          // flattens 64*7*7 = 3136
    @Dropout(rate = 0.25) Layer drop2;
    @Dense(units = 10) Layer fc2;
}
