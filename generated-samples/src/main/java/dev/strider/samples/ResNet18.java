package dev.strider.samples;

import static dev.strider.dsl.Activation.RELU;

import dev.strider.dsl.Add;
import dev.strider.dsl.BatchNorm;
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

/**
 * ResNet-18 (He et al. 2015) exactly as torchvision 0.14 builds it: 11,689,512 parameters. Layer names are
 * torchvision's with dots as underscores ({@code layer2.0.downsample.0} is {@code layer2_0_downsample_0}), so the
 * weights are torchvision's {@code state_dict} under those names. Each basic block is
 * {@code relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut)}; the first block of layers 2 to 4 halves the map with
 * stride 2 and takes its shortcut through a strided 1x1 convolution and batch norm.
 *
 * <p>The stride-2 layers do not tile their inputs exactly ({@code (224 - 7 + 2*3)/2 + 1 = 112.5}); PyTorch rounds
 * down, and so does this declaration, for the whole network, with {@code rounding = FLOOR}. Without it Strider
 * rejects each of those eight layers and says what FLOOR would drop (only padding, or one input row and column
 * for the 1x1 shortcuts).
 */
@Network(maxBatch = 2, expectParams = 11_689_512, rounding = Rounding.FLOOR)   // PyTorch floors: see above
@Input(channels = 3, height = 224, width = 224)
public abstract class ResNet18 {
    @Conv(filters = 64, kernel = 7, stride = 2, padding = 3, bias = false) Layer conv1;    // floor((224 - 7 + 2*3)/2) + 1 = 112
    @BatchNorm Layer bn1;
    @ReLU Layer relu;
    @MaxPool(window = 3, stride = 2, padding = 1) Layer maxpool;                          // [64,56,56]
    // layer1: two basic blocks, 64 channels, 56x56
    @Conv(filters = 64, kernel = 3, padding = 1, bias = false) Layer layer1_0_conv1;
    @BatchNorm Layer layer1_0_bn1;
    @ReLU Layer layer1_0_relu;
    @Conv(filters = 64, kernel = 3, padding = 1, bias = false) Layer layer1_0_conv2;
    @BatchNorm Layer layer1_0_bn2;
    @Add(activation = RELU) @From({"layer1_0_bn2", "maxpool"}) Layer layer1_0;
    @Conv(filters = 64, kernel = 3, padding = 1, bias = false) Layer layer1_1_conv1;
    @BatchNorm Layer layer1_1_bn1;
    @ReLU Layer layer1_1_relu;
    @Conv(filters = 64, kernel = 3, padding = 1, bias = false) Layer layer1_1_conv2;
    @BatchNorm Layer layer1_1_bn2;
    @Add(activation = RELU) @From({"layer1_1_bn2", "layer1_0"}) Layer layer1_1;
    // layer2: two basic blocks, 128 channels, 28x28
    @Conv(filters = 128, kernel = 3, stride = 2, padding = 1, bias = false) Layer layer2_0_conv1;
    @BatchNorm Layer layer2_0_bn1;
    @ReLU Layer layer2_0_relu;
    @Conv(filters = 128, kernel = 3, padding = 1, bias = false) Layer layer2_0_conv2;
    @BatchNorm Layer layer2_0_bn2;
    @Conv(filters = 128, kernel = 1, stride = 2, bias = false) @From("layer1_1") Layer layer2_0_downsample_0;
    @BatchNorm Layer layer2_0_downsample_1;
    @Add(activation = RELU) @From({"layer2_0_bn2", "layer2_0_downsample_1"}) Layer layer2_0;
    @Conv(filters = 128, kernel = 3, padding = 1, bias = false) Layer layer2_1_conv1;
    @BatchNorm Layer layer2_1_bn1;
    @ReLU Layer layer2_1_relu;
    @Conv(filters = 128, kernel = 3, padding = 1, bias = false) Layer layer2_1_conv2;
    @BatchNorm Layer layer2_1_bn2;
    @Add(activation = RELU) @From({"layer2_1_bn2", "layer2_0"}) Layer layer2_1;
    // layer3: two basic blocks, 256 channels, 14x14
    @Conv(filters = 256, kernel = 3, stride = 2, padding = 1, bias = false) Layer layer3_0_conv1;
    @BatchNorm Layer layer3_0_bn1;
    @ReLU Layer layer3_0_relu;
    @Conv(filters = 256, kernel = 3, padding = 1, bias = false) Layer layer3_0_conv2;
    @BatchNorm Layer layer3_0_bn2;
    @Conv(filters = 256, kernel = 1, stride = 2, bias = false) @From("layer2_1") Layer layer3_0_downsample_0;
    @BatchNorm Layer layer3_0_downsample_1;
    @Add(activation = RELU) @From({"layer3_0_bn2", "layer3_0_downsample_1"}) Layer layer3_0;
    @Conv(filters = 256, kernel = 3, padding = 1, bias = false) Layer layer3_1_conv1;
    @BatchNorm Layer layer3_1_bn1;
    @ReLU Layer layer3_1_relu;
    @Conv(filters = 256, kernel = 3, padding = 1, bias = false) Layer layer3_1_conv2;
    @BatchNorm Layer layer3_1_bn2;
    @Add(activation = RELU) @From({"layer3_1_bn2", "layer3_0"}) Layer layer3_1;
    // layer4: two basic blocks, 512 channels, 7x7
    @Conv(filters = 512, kernel = 3, stride = 2, padding = 1, bias = false) Layer layer4_0_conv1;
    @BatchNorm Layer layer4_0_bn1;
    @ReLU Layer layer4_0_relu;
    @Conv(filters = 512, kernel = 3, padding = 1, bias = false) Layer layer4_0_conv2;
    @BatchNorm Layer layer4_0_bn2;
    @Conv(filters = 512, kernel = 1, stride = 2, bias = false) @From("layer3_1") Layer layer4_0_downsample_0;
    @BatchNorm Layer layer4_0_downsample_1;
    @Add(activation = RELU) @From({"layer4_0_bn2", "layer4_0_downsample_1"}) Layer layer4_0;
    @Conv(filters = 512, kernel = 3, padding = 1, bias = false) Layer layer4_1_conv1;
    @BatchNorm Layer layer4_1_bn1;
    @ReLU Layer layer4_1_relu;
    @Conv(filters = 512, kernel = 3, padding = 1, bias = false) Layer layer4_1_conv2;
    @BatchNorm Layer layer4_1_bn2;
    @Add(activation = RELU) @From({"layer4_1_bn2", "layer4_0"}) Layer layer4_1;
    @GlobalAvgPool Layer avgpool;                                                            // [512,1,1]
    @Dense(units = 1000) Layer fc;
}
