package dev.strider.samples;

import static dev.strider.dsl.Activation.RELU;

import dev.strider.dsl.Arg;
import dev.strider.dsl.Bind;
import dev.strider.dsl.Block;
import dev.strider.dsl.Concat;
import dev.strider.dsl.Conv;
import dev.strider.dsl.Dropout;
import dev.strider.dsl.From;
import dev.strider.dsl.GlobalAvgPool;
import dev.strider.dsl.Input;
import dev.strider.dsl.Layer;
import dev.strider.dsl.MaxPool;
import dev.strider.dsl.Network;
import dev.strider.dsl.Rounding;
import dev.strider.dsl.Use;

/**
 * SqueezeNet 1.1 (Iandola et al. 2016) as torchvision 0.14 builds it: 1,235,496 parameters, no dense layer (the last
 * convolution gives 1,000 maps, averaged to the logits). The {@link Fire} block squeezes with 1x1 convolutions and
 * expands with 1x1 and 3x3 convolutions joined on channels. Layer names are torchvision's with dots as underscores
 * ({@code features.3.expand3x3} is {@code features_3_expand3x3}).
 */
@Network(maxBatch = 1, expectParams = 1_235_496, rounding = Rounding.FLOOR, inferenceOnly = true)   // features.0: floor((224 - 3)/2) + 1 = 111
@Input(channels = 3, height = 224, width = 224)
public abstract class SqueezeNet {
    @Conv(filters = 64, kernel = 3, stride = 2, activation = RELU) Layer features_0;            // [64,111,111]
    @MaxPool(window = 3, stride = 2, rounding = Rounding.CEIL) Layer features_2;                // [64,55,55]
    @Use(value = Fire.class, args = {@Arg(name = "squeeze", value = 16), @Arg(name = "expand", value = 64)}) Layer features_3;
    @Use(value = Fire.class, args = {@Arg(name = "squeeze", value = 16), @Arg(name = "expand", value = 64)}) Layer features_4;
    @MaxPool(window = 3, stride = 2, rounding = Rounding.CEIL) Layer features_5;                // [128,27,27]
    @Use(value = Fire.class, args = {@Arg(name = "squeeze", value = 32), @Arg(name = "expand", value = 128)}) Layer features_6;
    @Use(value = Fire.class, args = {@Arg(name = "squeeze", value = 32), @Arg(name = "expand", value = 128)}) Layer features_7;
    @MaxPool(window = 3, stride = 2, rounding = Rounding.CEIL) Layer features_8;                // [256,13,13]
    @Use(value = Fire.class, args = {@Arg(name = "squeeze", value = 48), @Arg(name = "expand", value = 192)}) Layer features_9;
    @Use(value = Fire.class, args = {@Arg(name = "squeeze", value = 48), @Arg(name = "expand", value = 192)}) Layer features_10;
    @Use(value = Fire.class, args = {@Arg(name = "squeeze", value = 64), @Arg(name = "expand", value = 256)}) Layer features_11;
    @Use(value = Fire.class, args = {@Arg(name = "squeeze", value = 64), @Arg(name = "expand", value = 256)}) Layer features_12; // [512,13,13]
    @Dropout(rate = 0.5) Layer classifier_0;
    @Conv(filters = 1000, kernel = 1, activation = RELU) Layer classifier_1;                    // [1000,13,13]
    @GlobalAvgPool Layer classifier_3;                                                            // [1000,1,1]

    /** squeeze (1x1, relu), then expand1x1 and expand3x3 (relu each) joined on channels: 2 * expand channels out. */
    @Block(params = {"squeeze", "expand"})
    public abstract static class Fire {
        @Conv(filters = 0, kernel = 1, activation = RELU) @Bind("filters=squeeze") Layer squeeze;
        @Conv(filters = 0, kernel = 1, activation = RELU) @Bind("filters=expand") Layer expand1x1;
        @Conv(filters = 0, kernel = 3, padding = 1, activation = RELU) @Bind("filters=expand") @From("squeeze") Layer expand3x3;
        @Concat @From({"expand1x1", "expand3x3"}) Layer out;
    }
}
