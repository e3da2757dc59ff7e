package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** Transposed convolutions: stride, padding, output padding, groups, dilation, a non-square kernel, a fused sigmoid. */
@Network(maxBatch = 4)
@Input(channels = 2, height = 3, width = 2)
public abstract class GcConvTranspose {
    @ConvTranspose(filters = 4, kernel = 3, stride = 2, padding = 1, outputPadding = 1, groups = 2, activation = Activation.SIGMOID) Layer up1;  // [4,6,4]
    @ConvTranspose(filters = 2, kernel = {3, 2}, stride = {1, 2}, dilation = {1, 2}, padding = {1, 0}, activation = Activation.TANH) Layer up2;                                  // [2,6,9]
    @Dense(units = 3) Layer head;
}
