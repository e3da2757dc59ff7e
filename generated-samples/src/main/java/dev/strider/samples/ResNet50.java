package dev.strider.samples;

import static dev.strider.dsl.Activation.RELU;

import dev.strider.dsl.Add;
import dev.strider.dsl.Arg;
import dev.strider.dsl.BatchNorm;
import dev.strider.dsl.Bind;
import dev.strider.dsl.Block;
import dev.strider.dsl.Conv;
import dev.strider.dsl.Dense;
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
 * ResNet-50 exactly as torchvision 0.14 builds it (ResNet v1.5: the stride on the 3x3 convolution), 25,557,032
 * parameters, declared with two reusable blocks: {@link Bottleneck} (1x1, 3x3, 1x1 convolutions and an identity
 * shortcut) and {@link BottleneckDown} (the same with a strided 1x1 convolution on the shortcut). Layer names are
 * torchvision's with dots as underscores: {@code layer3_0_downsample_0}, {@code layer4_2_conv3}.
 */
@Network(maxBatch = 1, expectParams = 25_557_032, rounding = Rounding.FLOOR, inferenceOnly = true)   // PyTorch floors (see ResNet18)
@Input(channels = 3, height = 224, width = 224)
public abstract class ResNet50 {
    @Conv(filters = 64, kernel = 7, stride = 2, padding = 3, bias = false) Layer conv1;   // [64,112,112]
    @BatchNorm Layer bn1;
    @ReLU Layer relu;
    @MaxPool(window = 3, stride = 2, padding = 1) Layer maxpool;                         // [64,56,56]
    @Use(value = BottleneckDown.class, args = {@Arg(name = "width", value = 64), @Arg(name = "stride", value = 1)}) Layer layer1_0;
    @Use(value = Bottleneck.class, args = @Arg(name = "width", value = 64), repeat = 2, index = 1) Layer layer1;       // [256,56,56]
    @Use(value = BottleneckDown.class, args = {@Arg(name = "width", value = 128), @Arg(name = "stride", value = 2)}) Layer layer2_0;
    @Use(value = Bottleneck.class, args = @Arg(name = "width", value = 128), repeat = 3, index = 1) Layer layer2;      // [512,28,28]
    @Use(value = BottleneckDown.class, args = {@Arg(name = "width", value = 256), @Arg(name = "stride", value = 2)}) Layer layer3_0;
    @Use(value = Bottleneck.class, args = @Arg(name = "width", value = 256), repeat = 5, index = 1) Layer layer3;      // [1024,14,14]
    @Use(value = BottleneckDown.class, args = {@Arg(name = "width", value = 512), @Arg(name = "stride", value = 2)}) Layer layer4_0;
    @Use(value = Bottleneck.class, args = @Arg(name = "width", value = 512), repeat = 2, index = 1) Layer layer4;      // [2048,7,7]
    @GlobalAvgPool Layer avgpool;
    @Dense(units = 1000) Layer fc;

    /** relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x))))))) + x): 1x1 to width, 3x3, 1x1 to 4 * width channels. */
    @Block(params = {"width"})
    public abstract static class Bottleneck {
        @Conv(filters = 0, kernel = 1, bias = false) @Bind("filters=width") Layer conv1;
        @BatchNorm Layer bn1;
        @ReLU Layer relu1;
        @Conv(filters = 0, kernel = 3, padding = 1, bias = false) @Bind("filters=width") Layer conv2;
        @BatchNorm Layer bn2;
        @ReLU Layer relu2;
        @Conv(filters = 0, kernel = 1, bias = false) @Bind("filters=width*4") Layer conv3;
        @BatchNorm Layer bn3;
        @Add(activation = RELU) @From({"bn3", "input"}) Layer out;
    }

    /** {@link Bottleneck} with the stride on its 3x3 convolution and a 1x1 convolution and batch norm on the shortcut. */
    @Block(params = {"width", "stride"})
    public abstract static class BottleneckDown {
        @Conv(filters = 0, kernel = 1, bias = false) @Bind("filters=width") Layer conv1;
        @BatchNorm Layer bn1;
        @ReLU Layer relu1;
        @Conv(filters = 0, kernel = 3, padding = 1, bias = false) @Bind({"filters=width", "stride=stride"}) Layer conv2;
        @BatchNorm Layer bn2;
        @ReLU Layer relu2;
        @Conv(filters = 0, kernel = 1, bias = false) @Bind("filters=width*4") Layer conv3;
        @BatchNorm Layer bn3;
        @Conv(filters = 0, kernel = 1, bias = false) @Bind({"filters=width*4", "stride=stride"}) @From("input") Layer downsample_0;
        @BatchNorm Layer downsample_1;
        @Add(activation = RELU) @From({"bn3", "downsample_1"}) Layer out;
    }
}
