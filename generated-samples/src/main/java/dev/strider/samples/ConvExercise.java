package dev.strider.samples;

import dev.strider.dsl.Conv;
import dev.strider.dsl.Input;
import dev.strider.dsl.Layer;
import dev.strider.dsl.Network;

/**
 * The classic exercise: a 32x32x3 input, 10 filters of 5x5 at stride 1 with padding 2 give 32x32x10, and
 * 10 * (5*5*3 + 1) = 760 parameters.
 */
@Network(maxBatch = 1, expectParams = 760)
@Input(channels = 3, height = 32, width = 32)
public abstract class ConvExercise {
    @Conv(filters = 10, kernel = 5, stride = 1, padding = 2) Layer conv; // (32 - 5 + 2*2)/1 + 1 = 32
}
