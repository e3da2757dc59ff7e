package dev.strider.samples;

import dev.strider.dsl.Add;
import dev.strider.dsl.Arg;
import dev.strider.dsl.BatchNorm;
import dev.strider.dsl.Bind;
import dev.strider.dsl.Block;
import dev.strider.dsl.Conv;
import dev.strider.dsl.Dense;
import dev.strider.dsl.Dropout;
import dev.strider.dsl.From;
import dev.strider.dsl.GlobalAvgPool;
import dev.strider.dsl.Identity;
import dev.strider.dsl.Input;
import dev.strider.dsl.Layer;
import dev.strider.dsl.Network;
import dev.strider.dsl.ReLU6;
import dev.strider.dsl.Rounding;
import dev.strider.dsl.Use;

/**
 * MobileNetV2 (Sandler et al. 2018) as torchvision 0.14 builds it: 3,504,872 parameters. Inverted residual blocks
 * expand the channels six times with a 1x1 convolution, filter each channel alone with a 3x3 depthwise convolution
 * ({@code groups} = channels), and project back with a linear 1x1 convolution; {@link InvertedResidual} adds its
 * input when the shape is kept, {@link Expand} does not (a stride of 2 or a change of channels). Layer names are
 * torchvision's with dots as underscores ({@code features.4.conv.1.0} is {@code features_4_conv_1_0}).
 *
 * <p>The projection of one block and the expansion of the next are two linear layers in a row (batch norm between):
 * the paper's "linear bottleneck", on purpose, so the warning that says so is suppressed.
 */
@SuppressWarnings("strider:no-nonlinearity")
@Network(maxBatch = 1, expectParams = 3_504_872, rounding = Rounding.FLOOR, inferenceOnly = true)   // stride-2 3x3 layers: floor((112 - 3 + 2)/2) + 1 = 56
@Input(channels = 3, height = 224, width = 224)
public abstract class MobileNetV2 {
    @Conv(filters = 32, kernel = 3, stride = 2, padding = 1, bias = false) Layer features_0_0;        // [32,112,112]
    @BatchNorm Layer features_0_1;
    @ReLU6 Layer features_0_2;
    @Use(value = Depthwise.class, args = {@Arg(name = "in", value = 32), @Arg(name = "out", value = 16)}) Layer features_1;
    @Use(value = Expand.class, args = {@Arg(name = "in", value = 16), @Arg(name = "out", value = 24), @Arg(name = "stride", value = 2)}) Layer features_2;
    @Use(value = InvertedResidual.class, args = @Arg(name = "in", value = 24)) Layer features_3;
    @Use(value = Expand.class, args = {@Arg(name = "in", value = 24), @Arg(name = "out", value = 32), @Arg(name = "stride", value = 2)}) Layer features_4;
    @Use(value = InvertedResidual.class, args = @Arg(name = "in", value = 32), name = "features", repeat = 2, index = 5) Layer stage32;   // features_5 .. features_6
    @Use(value = Expand.class, args = {@Arg(name = "in", value = 32), @Arg(name = "out", value = 64), @Arg(name = "stride", value = 2)}) Layer features_7;
    @Use(value = InvertedResidual.class, args = @Arg(name = "in", value = 64), name = "features", repeat = 3, index = 8) Layer stage64;   // features_8 .. features_10
    @Use(value = Expand.class, args = {@Arg(name = "in", value = 64), @Arg(name = "out", value = 96), @Arg(name = "stride", value = 1)}) Layer features_11;
    @Use(value = InvertedResidual.class, args = @Arg(name = "in", value = 96), name = "features", repeat = 2, index = 12) Layer stage96;   // features_12 .. features_13
    @Use(value = Expand.class, args = {@Arg(name = "in", value = 96), @Arg(name = "out", value = 160), @Arg(name = "stride", value = 2)}) Layer features_14;
    @Use(value = InvertedResidual.class, args = @Arg(name = "in", value = 160), name = "features", repeat = 2, index = 15) Layer stage160;   // features_15 .. features_16
    @Use(value = Expand.class, args = {@Arg(name = "in", value = 160), @Arg(name = "out", value = 320), @Arg(name = "stride", value = 1)}) Layer features_17;
    @Conv(filters = 1280, kernel = 1, bias = false) Layer features_18_0;                              // [1280,7,7]
    @BatchNorm Layer features_18_1;
    @ReLU6 Layer features_18_2;
    @GlobalAvgPool Layer avgpool;
    @Dropout(rate = 0.2) Layer classifier_0;
    @Dense(units = 1000) Layer classifier_1;

    /** The first block (expansion 1): depthwise 3x3, then a linear 1x1 projection; no residual (32 to 16 channels). */
    @Block(params = {"in", "out"})
    public abstract static class Depthwise {
        @Conv(filters = 0, kernel = 3, padding = 1, bias = false) @Bind({"filters=in", "groups=in"}) Layer conv_0_0;
        @BatchNorm Layer conv_0_1;
        @ReLU6 Layer conv_0_2;
        @Conv(filters = 0, kernel = 1, bias = false) @Bind("filters=out") Layer conv_1;
        @BatchNorm Layer conv_2;
        @Identity Layer out;
    }

    /** Expansion 6 without a residual: 1x1 to 6 * in, depthwise 3x3 with the stride, linear 1x1 to out. */
    @Block(params = {"in", "out", "stride"})
    public abstract static class Expand {
        @Conv(filters = 0, kernel = 1, bias = false) @Bind("filters=in*6") Layer conv_0_0;
        @BatchNorm Layer conv_0_1;
        @ReLU6 Layer conv_0_2;
        @Conv(filters = 0, kernel = 3, padding = 1, bias = false) @Bind({"filters=in*6", "groups=in*6", "stride=stride"}) Layer conv_1_0;
        @BatchNorm Layer conv_1_1;
        @ReLU6 Layer conv_1_2;
        @Conv(filters = 0, kernel = 1, bias = false) @Bind("filters=out") Layer conv_2;
        @BatchNorm Layer conv_3;
        @Identity Layer out;
    }

    /** Expansion 6 with the residual: the shape is kept (stride 1, in channels out), so the input is added. */
    @Block(params = "in")
    public abstract static class InvertedResidual {
        @Conv(filters = 0, kernel = 1, bias = false) @Bind("filters=in*6") Layer conv_0_0;
        @BatchNorm Layer conv_0_1;
        @ReLU6 Layer conv_0_2;
        @Conv(filters = 0, kernel = 3, padding = 1, bias = false) @Bind({"filters=in*6", "groups=in*6"}) Layer conv_1_0;
        @BatchNorm Layer conv_1_1;
        @ReLU6 Layer conv_1_2;
        @Conv(filters = 0, kernel = 1, bias = false) @Bind("filters=in") Layer conv_2;
        @BatchNorm Layer conv_3;
        @Add @From({"conv_3", "input"}) Layer out;
    }
}
