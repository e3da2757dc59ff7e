package dev.strider.samples;

import static dev.strider.dsl.Activation.RELU;

import dev.strider.dsl.Add;
import dev.strider.dsl.Conv;
import dev.strider.dsl.ConvTranspose;
import dev.strider.dsl.From;
import dev.strider.dsl.Input;
import dev.strider.dsl.Layer;
import dev.strider.dsl.Loss;
import dev.strider.dsl.MaxPool;
import dev.strider.dsl.Network;

/**
 * A small fully convolutional network in the manner of FCN-16s (Long et al. 2015): two conv-pool stages take a
 * 28x28 image to 7x7 class scores, a transposed convolution doubles them to 14x14 and adds scores from the first
 * stage's 14x14 features (the skip), and a second transposed convolution doubles them back to the input's 28x28:
 * a score per pixel for each of 2 classes (e.g. garment and background of a Fashion-MNIST image).
 *
 * <p>As in FCN, the scores and their upsampling are linear layers in a row (a learned interpolation of scores), so
 * the warning that says so is suppressed.
 */
@SuppressWarnings("strider:no-nonlinearity")
@Network(maxBatch = 16, expectParams = 1_384, loss = Loss.MEAN_SQUARED_ERROR)
@Input(channels = 1, height = 28, width = 28)
public abstract class TinyFcn {
    @Conv(filters = 8, kernel = 3, padding = 1, activation = RELU) Layer conv1;          // [8,28,28]
    @MaxPool(window = 2) Layer pool1;                                                     // [8,14,14]
    @Conv(filters = 16, kernel = 3, padding = 1, activation = RELU) Layer conv2;         // [16,14,14]
    @MaxPool(window = 2) Layer pool2;                                                     // [16,7,7]
    @Conv(filters = 2, kernel = 1) Layer score7;                                          // [2,7,7]
    @ConvTranspose(filters = 2, kernel = 2, stride = 2) Layer up14;                       // (7 - 1)*2 + (2 - 1) + 1 = 14
    @Conv(filters = 2, kernel = 1) @From("pool1") Layer score14;                          // the skip: [2,14,14]
    @Add @From({"up14", "score14"}) Layer fuse;
    @ConvTranspose(filters = 2, kernel = 4, stride = 2, padding = 1) Layer up28;          // (14 - 1)*2 - 2*1 + (4 - 1) + 1 = 28
}
