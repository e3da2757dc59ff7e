package dev.strider.samples;

import static dev.strider.dsl.Activation.RELU;

import dev.strider.dsl.Conv;
import dev.strider.dsl.Dense;
import dev.strider.dsl.Dropout;
import dev.strider.dsl.Input;
import dev.strider.dsl.Layer;
import dev.strider.dsl.MaxPool;
import dev.strider.dsl.Network;
import dev.strider.dsl.Rounding;

/**
 * AlexNet as torchvision defines it (one tower, 64-192-384-256-256 filters, 224x224 input). conv1's
 * (224 - 11 + 2*2)/4 + 1 = 55.25 is floored to 55 as in PyTorch: declared explicitly with {@code rounding = FLOOR}.
 * torchvision's adaptive average pool to 6x6 is the identity at this input size and is left out.
 */
@Network(maxBatch = 16, expectParams = 61_100_840)
@Input(channels = 3, height = 224, width = 224)
public abstract class AlexNet {
    @Conv(filters = 64, kernel = 11, stride = 4, padding = 2, activation = RELU, rounding = Rounding.FLOOR) Layer conv1; // 55
    @MaxPool(window = 3, stride = 2) Layer pool1;                                          // (55 - 3)/2 + 1 = 27
    @Conv(filters = 192, kernel = 5, padding = 2, activation = RELU) Layer conv2;          // 27
    @MaxPool(window = 3, stride = 2) Layer pool2;                                          // 13
    @Conv(filters = 384, kernel = 3, padding = 1, activation = RELU) Layer conv3;          // 13
    @Conv(filters = 256, kernel = 3, padding = 1, activation = RELU) Layer conv4;          // 13
    @Conv(filters = 256, kernel = 3, padding = 1, activation = RELU) Layer conv5;          // 13
    @MaxPool(window = 3, stride = 2) Layer pool5;                                          // 6
    @Dropout(rate = 0.5) Layer drop6;
    @Dense(units = 4096, activation = RELU) Layer fc6;                                     // flattens 256*6*6 = 9216
    @Dropout(rate = 0.5) Layer drop7;
    @Dense(units = 4096, activation = RELU) Layer fc7;
    @Dense(units = 1000) Layer fc8;
}
