package dev.strider.samples;

import static dev.strider.dsl.Activation.RELU;

import dev.strider.dsl.Conv;
import dev.strider.dsl.Dense;
import dev.strider.dsl.Dropout;
import dev.strider.dsl.Input;
import dev.strider.dsl.Layer;
import dev.strider.dsl.MaxPool;
import dev.strider.dsl.Network;

/**
 * VGG-16 (configuration D) as torchvision defines it: 13 convolutions 3x3 with padding 1, five 2x2 max pools,
 * three dense layers. torchvision's adaptive average pool to 7x7 is the identity at 224x224 and is left out.
 */
@Network(maxBatch = 4, expectParams = 138_357_544)
@Input(channels = 3, height = 224, width = 224)
public abstract class Vgg16 {
    @Conv(filters = 64, kernel = 3, padding = 1, activation = RELU) Layer conv1_1;
    @Conv(filters = 64, kernel = 3, padding = 1, activation = RELU) Layer conv1_2;
    @MaxPool(window = 2) Layer pool1;                                              // 112
    @Conv(filters = 128, kernel = 3, padding = 1, activation = RELU) Layer conv2_1;
    @Conv(filters = 128, kernel = 3, padding = 1, activation = RELU) Layer conv2_2;
    @MaxPool(window = 2) Layer pool2;                                              // 56
    @Conv(filters = 256, kernel = 3, padding = 1, activation = RELU) Layer conv3_1;
    @Conv(filters = 256, kernel = 3, padding = 1, activation = RELU) Layer conv3_2;
    @Conv(filters = 256, kernel = 3, padding = 1, activation = RELU) Layer conv3_3;
    @MaxPool(window = 2) Layer pool3;                                              // 28
    @Conv(filters = 512, kernel = 3, padding = 1, activation = RELU) Layer conv4_1;
    @Conv(filters = 512, kernel = 3, padding = 1, activation = RELU) Layer conv4_2;
    @Conv(filters = 512, kernel = 3, padding = 1, activation = RELU) Layer conv4_3;
    @MaxPool(window = 2) Layer pool4;                                              // 14
    @Conv(filters = 512, kernel = 3, padding = 1, activation = RELU) Layer conv5_1;
    @Conv(filters = 512, kernel = 3, padding = 1, activation = RELU) Layer conv5_2;
    @Conv(filters = 512, kernel = 3, padding = 1, activation = RELU) Layer conv5_3;
    @MaxPool(window = 2) Layer pool5;                                              // 7
    @Dense(units = 4096, activation = RELU) Layer fc6;                             // flattens 512*7*7 = 25088
    @Dropout(rate = 0.5) Layer drop6;
    @Dense(units = 4096, activation = RELU) Layer fc7;
    @Dropout(rate = 0.5) Layer drop7;
    @Dense(units = 1000) Layer fc8;
}
