package dev.strider.tests.gpu.nets;

import dev.strider.dsl.Activation;
import dev.strider.dsl.BatchNorm;
import dev.strider.dsl.Conv;
import dev.strider.dsl.Dense;
import dev.strider.dsl.Flatten;
import dev.strider.dsl.Input;
import dev.strider.dsl.Layer;
import dev.strider.dsl.Network;

/**
 * Shapes chosen to reach every path of the GPU kernels: 64-row tiles with a k range cut into slices for d weight
 * ({@code wide}: 40 channels, 8 x 289 positions), a forward product whose k (360) is cut into two slices at every batch
 * ({@code deep}: five 64-column tiles per image, fewer than the 264 blocks a split aims at), a depthwise convolution
 * (the direct kernels), 16-row tiles over a
 * grouped, dilated, strided convolution with twelve 16-deep k tiles, dense products wider than a tile, and a
 * softmax cross-entropy over more classes than a block has threads.
 */
@Network(maxBatch = 8, expectParams = 691_174)
@Input(channels = 3, height = 17, width = 17)
public abstract class GpuTiles {
    @Conv(filters = 40, kernel = 3, padding = 1, activation = Activation.RELU) Layer wide;                        // [40,17,17]
    @Conv(filters = 40, kernel = 3, padding = 1, activation = Activation.RELU) Layer deep;                        // [40,17,17], k = 40 x 3 x 3
    @Conv(filters = 40, kernel = 3, padding = 1, groups = 40, activation = Activation.RELU6) Layer depthwise;     // [40,17,17]
    @BatchNorm Layer bn;
    @Conv(filters = 24, kernel = 3, stride = 2, padding = 2, dilation = 2, groups = 2, activation = Activation.LEAKY_RELU) Layer strided;           // (17+4-5)/2+1 = 9: [24,9,9]
    @Flatten Layer flat;                                                                                           // 1944
    @Dense(units = 300, activation = Activation.TANH) Layer fc;
    @Dense(units = 290) Layer head;
}
