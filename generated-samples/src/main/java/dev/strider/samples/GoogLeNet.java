package dev.strider.samples;

import dev.strider.dsl.Arg;
import dev.strider.dsl.BatchNorm;
import dev.strider.dsl.Bind;
import dev.strider.dsl.Block;
import dev.strider.dsl.Concat;
import dev.strider.dsl.Conv;
import dev.strider.dsl.Dense;
import dev.strider.dsl.Dropout;
import dev.strider.dsl.From;
import dev.strider.dsl.GlobalAvgPool;
import dev.strider.dsl.Input;
import dev.strider.dsl.Layer;
import dev.strider.dsl.MaxPool;
import dev.strider.dsl.Network;
import dev.strider.dsl.ReLU;
import dev.strider.dsl.Rounding;
import dev.strider.dsl.Use;

/**
 * GoogLeNet (Inception v1, Szegedy et al. 2014) as torchvision 0.14 builds it without the auxiliary heads: 6,624,904
 * parameters. Every convolution is torchvision's BasicConv2d (convolution without bias, batch norm with epsilon 0.001,
 * ReLU), here the blocks {@link Conv1} and {@link Conv3}; the {@link Inception} block joins four branches on channels
 * (torchvision's "5x5" branch uses a 3x3 convolution, and so does this one). Layer names are torchvision's with dots
 * as underscores ({@code inception4a.branch2.1.conv} is {@code inception4a_branch2_1_conv}).
 */
@Network(maxBatch = 1, expectParams = 6_624_904, rounding = Rounding.FLOOR, inferenceOnly = true)   // conv1: floor((224 - 7 + 6)/2) + 1 = 112
@Input(channels = 3, height = 224, width = 224)
public abstract class GoogLeNet {
    @Use(value = Conv7.class) Layer conv1;                                                        // [64,112,112]
    @MaxPool(window = 3, stride = 2, rounding = Rounding.CEIL) Layer maxpool1;                    // [64,56,56]
    @Use(value = Conv1.class, args = @Arg(name = "out", value = 64)) Layer conv2;
    @Use(value = Conv3.class, args = @Arg(name = "out", value = 192)) Layer conv3;
    @MaxPool(window = 3, stride = 2, rounding = Rounding.CEIL) Layer maxpool2;                    // [192,28,28]
    @Use(value = Inception.class, args = {@Arg(name = "c1", value = 64), @Arg(name = "c3r", value = 96), @Arg(name = "c3", value = 128),
            @Arg(name = "c5r", value = 16), @Arg(name = "c5", value = 32), @Arg(name = "pool", value = 32)}) Layer inception3a;      // [256,28,28]
    @Use(value = Inception.class, args = {@Arg(name = "c1", value = 128), @Arg(name = "c3r", value = 128), @Arg(name = "c3", value = 192),
            @Arg(name = "c5r", value = 32), @Arg(name = "c5", value = 96), @Arg(name = "pool", value = 64)}) Layer inception3b;      // [480,28,28]
    @MaxPool(window = 3, stride = 2, rounding = Rounding.CEIL) Layer maxpool3;                    // [480,14,14]
    @Use(value = Inception.class, args = {@Arg(name = "c1", value = 192), @Arg(name = "c3r", value = 96), @Arg(name = "c3", value = 208),
            @Arg(name = "c5r", value = 16), @Arg(name = "c5", value = 48), @Arg(name = "pool", value = 64)}) Layer inception4a;      // [512,14,14]
    @Use(value = Inception.class, args = {@Arg(name = "c1", value = 160), @Arg(name = "c3r", value = 112), @Arg(name = "c3", value = 224),
            @Arg(name = "c5r", value = 24), @Arg(name = "c5", value = 64), @Arg(name = "pool", value = 64)}) Layer inception4b;
    @Use(value = Inception.class, args = {@Arg(name = "c1", value = 128), @Arg(name = "c3r", value = 128), @Arg(name = "c3", value = 256),
            @Arg(name = "c5r", value = 24), @Arg(name = "c5", value = 64), @Arg(name = "pool", value = 64)}) Layer inception4c;
    @Use(value = Inception.class, args = {@Arg(name = "c1", value = 112), @Arg(name = "c3r", value = 144), @Arg(name = "c3", value = 288),
            @Arg(name = "c5r", value = 32), @Arg(name = "c5", value = 64), @Arg(name = "pool", value = 64)}) Layer inception4d;
    @Use(value = Inception.class, args = {@Arg(name = "c1", value = 256), @Arg(name = "c3r", value = 160), @Arg(name = "c3", value = 320),
            @Arg(name = "c5r", value = 32), @Arg(name = "c5", value = 128), @Arg(name = "pool", value = 128)}) Layer inception4e;    // [832,14,14]
    @MaxPool(window = 2, stride = 2, rounding = Rounding.CEIL) Layer maxpool4;                    // [832,7,7]
    @Use(value = Inception.class, args = {@Arg(name = "c1", value = 256), @Arg(name = "c3r", value = 160), @Arg(name = "c3", value = 320),
            @Arg(name = "c5r", value = 32), @Arg(name = "c5", value = 128), @Arg(name = "pool", value = 128)}) Layer inception5a;
    @Use(value = Inception.class, args = {@Arg(name = "c1", value = 384), @Arg(name = "c3r", value = 192), @Arg(name = "c3", value = 384),
            @Arg(name = "c5r", value = 48), @Arg(name = "c5", value = 128), @Arg(name = "pool", value = 128)}) Layer inception5b;    // [1024,7,7]
    @GlobalAvgPool Layer avgpool;
    @Dropout(rate = 0.2) Layer dropout;
    @Dense(units = 1000) Layer fc;

    /** Four branches joined on channels: 1x1; 1x1 then 3x3; 1x1 then 3x3; 3x3 max pooling then 1x1. */
    @Block(params = {"c1", "c3r", "c3", "c5r", "c5", "pool"})
    public abstract static class Inception {
        @Use(Conv1.class) @Bind("out=c1") Layer branch1;
        @Use(Conv1.class) @Bind("out=c3r") @From("input") Layer branch2_0;
        @Use(Conv3.class) @Bind("out=c3") Layer branch2_1;
        @Use(Conv1.class) @Bind("out=c5r") @From("input") Layer branch3_0;
        @Use(Conv3.class) @Bind("out=c5") Layer branch3_1;
        @MaxPool(window = 3, stride = 1, padding = 1, rounding = Rounding.CEIL) @From("input") Layer branch4_0;
        @Use(Conv1.class) @Bind("out=pool") Layer branch4_1;
        @Concat @From({"branch1", "branch2_1", "branch3_1", "branch4_1"}) Layer out;
    }

    /** torchvision's BasicConv2d with a 1x1 kernel. */
    @Block(params = "out")
    public abstract static class Conv1 {
        @Conv(filters = 0, kernel = 1, bias = false) @Bind("filters=out") Layer conv;
        @BatchNorm(epsilon = 0.001) Layer bn;
        @ReLU Layer relu;
    }

    /** torchvision's BasicConv2d with a 3x3 kernel, padding 1. */
    @Block(params = "out")
    public abstract static class Conv3 {
        @Conv(filters = 0, kernel = 3, padding = 1, bias = false) @Bind("filters=out") Layer conv;
        @BatchNorm(epsilon = 0.001) Layer bn;
        @ReLU Layer relu;
    }

    /** The stem's BasicConv2d: 7x7, stride 2, padding 3, 64 filters. */
    @Block
    public abstract static class Conv7 {
        @Conv(filters = 64, kernel = 7, stride = 2, padding = 3, bias = false) Layer conv;
        @BatchNorm(epsilon = 0.001) Layer bn;
        @ReLU Layer relu;
    }
}
