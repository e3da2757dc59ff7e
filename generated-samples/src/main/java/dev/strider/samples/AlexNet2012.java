package dev.strider.samples;

import static dev.strider.dsl.Activation.RELU;

import dev.strider.dsl.Conv;
import dev.strider.dsl.Dense;
import dev.strider.dsl.Dropout;
import dev.strider.dsl.Input;
import dev.strider.dsl.LRN;
import dev.strider.dsl.Layer;
import dev.strider.dsl.MaxPool;
import dev.strider.dsl.Network;

/**
 * AlexNet as Krizhevsky, Sutskever and Hinton trained it in 2012 (not torchvision's variant, {@link AlexNet}):
 * 227x227 input, local response normalization after the first two convolutions (the paper's k = 2, n = 5,
 * alpha = 1e-4, beta = 0.75; PyTorch's alpha is divided by n, so 5e-4 here), and conv2, conv4 and conv5 in two groups,
 * one per GPU of the original: 60,965,224 parameters.
 */
@Network(maxBatch = 4, expectParams = 60_965_224)
@Input(channels = 3, height = 227, width = 227)
public abstract class AlexNet2012 {
    @Conv(filters = 96, kernel = 11, stride = 4, activation = RELU) Layer conv1;                // (227 - 11)/4 + 1 = 55
    @LRN(size = 5, alpha = 5e-4, beta = 0.75, k = 2) Layer norm1;
    @MaxPool(window = 3, stride = 2) Layer pool1;                                              // (55 - 3)/2 + 1 = 27
    @Conv(filters = 256, kernel = 5, padding = 2, groups = 2, activation = RELU) Layer conv2;  // two groups of 48 -> 128
    @LRN(size = 5, alpha = 5e-4, beta = 0.75, k = 2) Layer norm2;
    @MaxPool(window = 3, stride = 2) Layer pool2;                                              // (27 - 3)/2 + 1 = 13
    @Conv(filters = 384, kernel = 3, padding = 1, activation = RELU) Layer conv3;              // across both groups
    @Conv(filters = 384, kernel = 3, padding = 1, groups = 2, activation = RELU) Layer conv4;
    @Conv(filters = 256, kernel = 3, padding = 1, groups = 2, activation = RELU) Layer conv5;
    @MaxPool(window = 3, stride = 2) Layer pool5;                                              // (13 - 3)/2 + 1 = 6
    @Dense(units = 4096, activation = RELU) Layer fc6;                                         // flattens 256*6*6 = 9216
    @Dropout(rate = 0.5) Layer drop6;
    @Dense(units = 4096, activation = RELU) Layer fc7;
    @Dropout(rate = 0.5) Layer drop7;
    @Dense(units = 1000) Layer fc8;
}
