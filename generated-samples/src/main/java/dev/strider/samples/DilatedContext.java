package dev.strider.samples;

import static dev.strider.dsl.Activation.RELU;

import dev.strider.dsl.Conv;
import dev.strider.dsl.Input;
import dev.strider.dsl.Layer;
import dev.strider.dsl.Loss;
import dev.strider.dsl.Network;

/**
 * The front of Yu and Koltun's context module (2016): 3x3 convolutions with dilations 1, 2 and 4, each padded by its
 * dilation so the map keeps its size, then a 1x1 convolution to per-pixel class scores. The receptive field grows
 * exponentially while the parameters grow linearly: 3, then 3 + 2*2 = 7, then 7 + 2*4 = 15 pixels.
 */
@Network(maxBatch = 8, expectParams = 5_139, loss = Loss.MEAN_SQUARED_ERROR)
@Input(channels = 3, height = 64, width = 64)
public abstract class DilatedContext {
    @Conv(filters = 16, kernel = 3, padding = 1, activation = RELU) Layer context1;                // RF 3
    @Conv(filters = 16, kernel = 3, padding = 2, dilation = 2, activation = RELU) Layer context2;  // RF 3 + (3 - 1) * 2 = 7
    @Conv(filters = 16, kernel = 3, padding = 4, dilation = 4, activation = RELU) Layer context3;  // RF 7 + (3 - 1) * 4 = 15
    @Conv(filters = 3, kernel = 1) Layer scores;                                                   // [3,64,64]
}
