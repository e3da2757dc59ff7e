package dev.strider.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.runtime.report.NetworkReport;
import dev.strider.runtime.report.NetworkReport.LayerReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The samples, compiled by the processor exactly as a user's build would, against the published figures: the
 * JSON report's totals and every layer's output shape, and the generated constants.
 */
class SampleReportsTest {
    private static NetworkReport report(Class<?> network) {
        return NetworkReport.load(network.getName(), SampleReportsTest.class.getClassLoader());
    }

    private static List<List<Long>> shapes(NetworkReport r) {
        return r.layers().stream().map(LayerReport::out).toList();
    }

    @Test
    void lenet5() {
        NetworkReport r = report(LeNet5.class);
        assertEquals(61_706, r.params());
        assertEquals(416_520, r.macs());
        assertEquals(List.of(1L, 28L, 28L), r.input());
        assertEquals(List.of(
                List.of(6L, 28L, 28L), List.of(6L, 14L, 14L), List.of(16L, 10L, 10L), List.of(16L, 5L, 5L),
                List.of(120L), List.of(84L), List.of(10L)), shapes(r));
        assertEquals(List.of(156L, 0L, 2_416L, 0L, 48_120L, 10_164L, 850L), r.layers().stream().map(LayerReport::params).toList());
        assertEquals(List.of(32L, 32L), r.layer("f5").receptiveField().size());
        assertEquals(List.of(16L, 16L), r.layer("s4").receptiveField().size());
        // every array of the engine at max batch 64, in 4-byte values:
        //   outputs and their gradients: 2 * 64 * (4,704 + 1,176 + 1,600 + 400 + 120 + 84 + 10) = 1,036,032
        //   parameters and their gradients: 2 * (156 + 2,416 + 48,120 + 10,164 + 850) = 123,412
        //   im2col scratch, twice per conv: 2 * (25 * 784 + 150 * 100) = 69,200; max-pool switches: 64 * (1,176 + 400) = 100,864
        assertEquals(4L * (1_036_032 + 123_412 + 69_200 + 100_864), r.memory().engineBytes());
        assertEquals(61_706, LeNet5Spec.PARAMS);
        assertEquals(416_520, LeNet5Spec.MACS);
        assertEquals(784, LeNet5Spec.INPUT_SIZE);
        assertEquals(10, LeNet5Spec.OUTPUT_SIZE);
        assertEquals(64, LeNet5Spec.MAX_BATCH);
        assertEquals("META-INF/strider/dev.strider.samples.LeNet5.json", LeNet5Spec.REPORT_RESOURCE);
    }

    @Test
    void convExercise() {
        NetworkReport r = report(ConvExercise.class);
        assertEquals(760, r.params());
        assertEquals(List.of(List.of(10L, 32L, 32L)), shapes(r));
        // 10*32*32 outputs, each 3*5*5 MACs
        assertEquals(10L * 32 * 32 * 75, r.macs());
    }

    @Test
    void alexnetAsInTorchvision() {
        NetworkReport r = report(AlexNet.class);
        assertEquals(61_100_840, r.params());
        assertEquals(714_188_480, r.macs());
        assertEquals(List.of(
                List.of(64L, 55L, 55L), List.of(64L, 27L, 27L), List.of(192L, 27L, 27L), List.of(192L, 13L, 13L),
                List.of(384L, 13L, 13L), List.of(256L, 13L, 13L), List.of(256L, 13L, 13L), List.of(256L, 6L, 6L),
                List.of(256L, 6L, 6L), // dropout keeps the shape; fc6 flattens 256*6*6 = 9216
                List.of(4096L), List.of(4096L), List.of(4096L), List.of(1000L)), shapes(r));
        assertEquals(AlexNetSpec.PARAMS, r.params());
    }

    @Test
    void vgg16() {
        NetworkReport r = report(Vgg16.class);
        assertEquals(138_357_544, r.params());
        assertEquals(15_470_264_320L, r.macs());
        assertEquals(List.of(64L, 224L, 224L), r.layer("conv1_2").out());
        assertEquals(List.of(512L, 7L, 7L), r.layer("pool5").out());
        assertEquals(102_764_544, r.layer("fc6").params()); // 25088*4096 + 4096
        assertEquals(23, r.layers().size());
        // the well-known VGG-16 receptive fields: conv5_3 sees 196x196 pixels with jump 16, pool5 212x212 with jump 32
        assertEquals(List.of(196L, 196L), r.layer("conv5_3").receptiveField().size());
        assertEquals(List.of(16L, 16L), r.layer("conv5_3").receptiveField().jump());
        assertEquals(List.of(212L, 212L), r.layer("pool5").receptiveField().size());
        assertEquals(List.of(32L, 32L), r.layer("pool5").receptiveField().jump());
        assertEquals(List.of(512L, 7L, 7L), r.layer("fc6").in()); // fc6 flattens the 512x7x7 map
    }

    @Test
    void resnet18AsInTorchvision() {
        NetworkReport r = report(ResNet18.class);
        // torchvision 0.14's resnet18(): 11,689,512 parameters, 1,814,073,344 MACs at 224x224 (issue 5's table)
        assertEquals(11_689_512, r.params());
        assertEquals(1_814_073_344L, r.macs());
        assertEquals(9_600, r.nonTrainableParams()); // running mean and variance of 20 batch norms, 4,800 channels
        assertEquals(ResNet18Spec.PARAMS, r.params());
        assertEquals(List.of(64L, 112L, 112L), r.layer("conv1").out());
        assertEquals(List.of(64L, 56L, 56L), r.layer("maxpool").out());
        assertEquals(List.of(128L, 28L, 28L), r.layer("layer2_0").out());
        assertEquals(List.of(256L, 14L, 14L), r.layer("layer3_0_downsample_1").out());
        assertEquals(List.of(512L, 7L, 7L), r.layer("layer4_1").out());
        assertEquals(List.of(1000L), r.layer("fc").out());
        assertEquals(List.of("layer2_0_bn2", "layer2_0_downsample_1"), r.layer("layer2_0").inputs());
        assertEquals(List.of("layer1_1"), r.layer("layer2_0_downsample_0").inputs());
        assertEquals(2_359_296, r.layer("layer4_1_conv2").params()); // 512 * 512 * 3 * 3
        // receptive field: 435x435 at layer4 (the largest path through the 3x3 convolutions), jump 32
        assertEquals(List.of(435L, 435L), r.layer("layer4_1").receptiveField().size());
        assertEquals(List.of(32L, 32L), r.layer("layer4_1").receptiveField().jump());
        assertEquals(60, r.layers().size()); // 4 in the stem, 6 per basic block * 8, 2 per downsampling shortcut * 3, 2 in the head
        assertTrue(ResNet18Spec.summary().contains("the largest over the merged branches"), ResNet18Spec.summary());
    }

    @Test
    void resnet50FromTwoBlocksAsInTorchvision() {
        NetworkReport r = report(ResNet50.class);
        // torchvision 0.14's resnet50(): 25,557,032 parameters, 4,089,184,256 MACs at 224x224 (issue 5's table)
        assertEquals(25_557_032, r.params());
        assertEquals(4_089_184_256L, r.macs());
        assertEquals(ResNet50Spec.PARAMS, r.params());
        // 4 stem layers, 16 bottlenecks of 9 layers, 4 of them with a 2-layer shortcut, 2 head layers
        assertEquals(4 + 16 * 9 + 4 * 2 + 2, r.layers().size());
        assertEquals(List.of("layer2_0_bn3", "layer2_0_downsample_1"), r.layer("layer2_0").inputs());
        assertEquals(List.of("layer2_0"), r.layer("layer2_1_conv1").inputs());
        assertEquals(List.of("layer3_5_bn3", "layer3_4"), r.layer("layer3_5").inputs());
        assertEquals(List.of(512L, 28L, 28L), r.layer("layer2_3").out());
        assertEquals(List.of(2048L, 7L, 7L), r.layer("layer4_2").out());
        assertEquals(1_048_576, r.layer("layer4_0_conv3").params()); // 512 -> 2048, 1x1
        assertEquals(2_097_152, r.layer("layer4_0_downsample_0").params()); // 1024 -> 2048, 1x1, stride 2
        assertEquals(List.of(128L, 28L, 28L), r.layer("layer2_0_conv2").out()); // v1.5: the stride is on the 3x3
    }

    @Test
    void googlenetFromNestedBlocksAsInTorchvision() {
        NetworkReport r = report(GoogLeNet.class);
        // torchvision 0.14's googlenet(aux_logits=False): 6,624,904 parameters, 1,498,376,192 MACs (issue 5's table)
        assertEquals(6_624_904, r.params());
        assertEquals(1_498_376_192L, r.macs());
        assertEquals(List.of("inception3a_branch1", "inception3a_branch2_1", "inception3a_branch3_1", "inception3a_branch4_1"),
                r.layer("inception3a").inputs());
        assertEquals(List.of(256L, 28L, 28L), r.layer("inception3a").out());   // 64 + 128 + 32 + 32 channels
        assertEquals(List.of(480L, 14L, 14L), r.layer("maxpool3").out());      // ceil((28 - 3)/2) + 1 = 14
        assertEquals(List.of(832L, 7L, 7L), r.layer("maxpool4").out());
        assertEquals(List.of(1024L, 7L, 7L), r.layer("inception5b").out());
        assertEquals(List.of("maxpool2"), r.layer("inception3a_branch2_0_conv").inputs());
        assertEquals(110_592, r.layer("inception3a_branch2_1_conv").params()); // 96 -> 128, 3x3, no bias
        assertEquals(List.of(64L, 112L, 112L), r.layer("conv1").out());
    }

    @Test
    void squeezenet11AsInTorchvision() {
        NetworkReport r = report(SqueezeNet.class);
        // torchvision 0.14's squeezenet1_1(): 1,235,496 parameters, 349,151,936 MACs (issue 5's table)
        assertEquals(1_235_496, r.params());
        assertEquals(349_151_936L, r.macs());
        assertEquals(List.of(64L, 111L, 111L), r.layer("features_0").out());
        assertEquals(List.of(128L, 55L, 55L), r.layer("features_4").out());
        assertEquals(List.of("features_3_squeeze"), r.layer("features_3_expand3x3").inputs());
        assertEquals(List.of(512L, 13L, 13L), r.layer("features_12").out());
        assertEquals(List.of(1000L, 1L, 1L), r.output());
        assertEquals(39, r.layers().size()); // conv and pool, 8 fires of 4 layers, 2 more pools, 3 in the classifier
    }

    @Test
    void dilatedContextModuleReceptiveFieldsGrowAsInYuAndKoltun() {
        NetworkReport r = report(DilatedContext.class);
        // 3x3 kernels with dilation d add (3 - 1) * d pixels each at jump 1: 1 + 2 = 3, 3 + 4 = 7, 7 + 8 = 15
        assertEquals(List.of(3L, 3L), r.layer("context1").receptiveField().size());
        assertEquals(List.of(7L, 7L), r.layer("context2").receptiveField().size());
        assertEquals(List.of(15L, 15L), r.layer("context3").receptiveField().size());
        assertEquals(List.of(15L, 15L), r.layer("scores").receptiveField().size());
        assertEquals(List.of(1L, 1L), r.layer("scores").receptiveField().jump());
        // padding = dilation keeps 64x64: (64 + 2*4 - (4 * (3 - 1) + 1))/1 + 1 = 64
        assertEquals(List.of(16L, 64L, 64L), r.layer("context3").out());
        assertEquals(List.of(3L, 64L, 64L), r.output());
        // (3*9 + 1) * 16 + 2 * (16*9 + 1) * 16 + (16 + 1) * 3 = 448 + 4,640 + 51
        assertEquals(448 + 2 * 2_320 + 51, r.params());
    }

    @Test
    void mobilenetV2AsInTorchvision() {
        NetworkReport r = report(MobileNetV2.class);
        // torchvision 0.14's mobilenet_v2(): 3,504,872 parameters, 300,774,272 MACs (issue 5's table)
        assertEquals(3_504_872, r.params());
        assertEquals(300_774_272L, r.macs());
        assertEquals(1_728, r.layer("features_5_conv_1_0").params()); // depthwise: 192 channels * 3x3, one input channel each
        assertEquals(List.of("features_5_conv_3", "features_4"), r.layer("features_5").inputs());
        assertEquals(List.of("features_16_conv_3", "features_15"), r.layer("features_16").inputs());
        assertEquals(List.of(320L, 7L, 7L), r.layer("features_17").out());
        assertEquals(List.of(1280L, 7L, 7L), r.layer("features_18_2").out());
        assertEquals("Identity", r.layer("features_2").type());
    }

    @Test
    void alexnetAsInKrizhevsky2012() {
        NetworkReport r = report(AlexNet2012.class);
        // issue 5's table: 60,965,224 parameters, 724,406,816 MACs at 227x227
        assertEquals(60_965_224, r.params());
        assertEquals(724_406_816L, r.macs());
        assertEquals(307_456, r.layer("conv2").params());  // 256 * (96/2) * 5 * 5 + 256: two groups
        assertEquals(885_120, r.layer("conv3").params());  // 384 * 256 * 3 * 3 + 384: across both groups
        assertEquals(List.of(96L, 55L, 55L), r.layer("norm1").out());
        assertEquals(List.of(256L, 6L, 6L), r.layer("pool5").out());
        assertEquals("LRN", r.layer("norm2").type());
    }

    @Test
    void fullyConvolutionalNetworkUpsamplesBackToTheInputSize() {
        NetworkReport r = report(TinyFcn.class);
        assertEquals(List.of(1L, 28L, 28L), r.input());
        assertEquals(List.of(2L, 7L, 7L), r.layer("score7").out());
        // (7 - 1) * 2 - 2 * 0 + 1 * (2 - 1) + 0 + 1 = 14, then (14 - 1) * 2 - 2 * 1 + 1 * (4 - 1) + 0 + 1 = 28
        assertEquals(List.of(2L, 14L, 14L), r.layer("up14").out());
        assertEquals(List.of(2L, 28L, 28L), r.output());
        assertEquals(List.of("up14", "score14"), r.layer("fuse").inputs());
        assertEquals(2 * 2 * 2 * 2 + 2, r.layer("up14").params()); // weight [2, 2, 2, 2] + bias
        assertEquals(2 * 2 * 4 * 4 + 2, r.layer("up28").params());
        // receptive field: conv1 3, pool1 4 (jump 2), conv2 8, pool2 10 (jump 4), up14: ceil(2/2) = 1 input, jump 2;
        // through the sum the largest branch (10); up28: ceil(4/2) = 2 inputs at jump 2 -> 12, jump 1
        assertEquals(List.of(10L, 10L), r.layer("fuse").receptiveField().size());
        assertEquals(List.of(12L, 12L), r.layer("up28").receptiveField().size());
        assertEquals(List.of(1L, 1L), r.layer("up28").receptiveField().jump());
    }

    @Test
    void summaryNamesEveryLayerAndTheTotals() {
        String s = LeNet5Spec.summary();
        for (String layer : List.of("c1", "s2", "c3", "s4", "f5", "f6", "output")) {
            assertTrue(s.lines().anyMatch(l -> l.startsWith(layer + " ")), () -> layer + " missing in\n" + s);
        }
        assertTrue(s.contains("Params: 61,706 trainable, 0 non-trainable"), s);
        assertTrue(s.contains("MACs: 416,520 per image"), s);
        assertTrue(s.contains("flattens [16,5,5] -> 400"), s);
    }
}
