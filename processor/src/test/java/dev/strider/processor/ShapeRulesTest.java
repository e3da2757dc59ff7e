package dev.strider.processor;

import static dev.strider.processor.Decls.layer;
import static dev.strider.processor.Decls.network;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.dsl.Activation;
import dev.strider.dsl.Loss;
import dev.strider.dsl.Rounding;
import dev.strider.processor.diag.Diagnostic;
import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.diag.Severity;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.ReceptiveField;
import dev.strider.processor.model.Shape;
import dev.strider.processor.validate.CheckedLayer;
import dev.strider.processor.validate.CheckedNetwork;
import dev.strider.processor.validate.NetworkChecker;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Shape inference, parameter counts, MACs and receptive fields on hand-made declarations: no compiler involved. */
class ShapeRulesTest {

    private static CheckedNetwork ok(long c, long h, long w, LayerDecl... layers) {
        Report report = new Report();
        CheckedNetwork n = NetworkChecker.check(network(c, h, w, List.of(layers)), report);
        assertNotNull(n, () -> "expected a valid network, got " + report.items());
        assertTrue(report.items().stream().noneMatch(d -> d.severity() == Severity.ERROR));
        return n;
    }

    private static Report failing(long c, long h, long w, LayerDecl... layers) {
        Report report = new Report();
        assertNull(NetworkChecker.check(network(c, h, w, List.of(layers)), report));
        return report;
    }

    private static Diagnostic only(Report report, Message message) {
        List<Diagnostic> found = report.items().stream().filter(d -> d.message() == message).toList();
        assertEquals(1, found.size(), () -> "expected one " + message + " in " + report.items());
        return found.get(0);
    }

    @Test
    void lenet5CountsEveryLayerExactly() {
        CheckedNetwork n = ok(1, 28, 28,
                layer("Conv", "c1", "filters", 6, "kernel", 5, "padding", 2, "activation", Activation.RELU),
                layer("MaxPool", "s2", "window", 2),
                layer("Conv", "c3", "filters", 16, "kernel", 5, "activation", Activation.RELU),
                layer("MaxPool", "s4", "window", 2),
                layer("Dense", "f5", "units", 120, "activation", Activation.RELU),
                layer("Dense", "f6", "units", 84, "activation", Activation.RELU),
                layer("Dense", "output", "units", 10));
        List<CheckedLayer> l = n.layers();
        assertEquals(Shape.chw(6, 28, 28), l.get(0).out());
        assertEquals(Shape.chw(6, 14, 14), l.get(1).out());
        assertEquals(Shape.chw(16, 10, 10), l.get(2).out());
        assertEquals(Shape.chw(16, 5, 5), l.get(3).out());
        assertEquals(List.of(120L), l.get(4).out().dims());
        // 6*(1*5*5)+6, 16*(6*5*5)+16, 400*120+120, 120*84+84, 84*10+10
        assertEquals(List.of(156L, 0L, 2416L, 0L, 48120L, 10164L, 850L), l.stream().map(CheckedLayer::params).toList());
        // out elements * in channels * kh * kw; dense in*out
        assertEquals(List.of(117600L, 0L, 240000L, 0L, 48000L, 10080L, 840L), l.stream().map(CheckedLayer::macs).toList());
        assertEquals(61706, n.params());
        assertEquals(416520, n.macs());
    }

    @Test
    void receptiveFieldFollowsTheArithmetic() {
        CheckedNetwork n = ok(1, 28, 28,
                layer("Conv", "c1", "filters", 6, "kernel", 5, "padding", 2, "activation", Activation.RELU),
                layer("MaxPool", "s2", "window", 2),
                layer("Conv", "c3", "filters", 16, "kernel", 5, "activation", Activation.RELU),
                layer("MaxPool", "s4", "window", 2),
                layer("Dense", "f5", "units", 120));
        // r1 = 5, j1 = 1; r2 = 5 + 1*1 = 6, j2 = 2; r3 = 6 + 4*2 = 14; r4 = 14 + 1*2 = 16, j4 = 4; dense over 5x5: 16 + 4*4 = 32
        assertEquals(List.of(5L, 6L, 14L, 16L, 32L), n.layers().stream().map(c -> c.receptiveField().sizeH()).toList());
        assertEquals(List.of(1L, 2L, 2L, 4L, 20L), n.layers().stream().map(c -> c.receptiveField().jumpH()).toList());
    }

    @Test
    void dilatedConvolutionsGrowTheReceptiveField() {
        // Yu & Koltun's context module: 3x3 convolutions with dilations 1, 2, 4 give receptive fields 3, 7, 15.
        CheckedNetwork n = ok(8, 32, 32,
                layer("Conv", "d1", "filters", 8, "kernel", 3, "padding", 1, "dilation", 1, "activation", Activation.RELU),
                layer("Conv", "d2", "filters", 8, "kernel", 3, "padding", 2, "dilation", 2, "activation", Activation.RELU),
                layer("Conv", "d4", "filters", 8, "kernel", 3, "padding", 4, "dilation", 4, "activation", Activation.RELU));
        assertEquals(List.of(3L, 7L, 15L), n.layers().stream().map(c -> c.receptiveField().sizeW()).toList());
        assertEquals(Shape.chw(8, 32, 32), n.output());
    }

    @Test
    void seedsConvExercise() {
        CheckedNetwork n = ok(3, 32, 32, layer("Conv", "conv", "filters", 10, "kernel", 5, "stride", 1, "padding", 2));
        assertEquals(Shape.chw(10, 32, 32), n.output());
        assertEquals(760, n.params());
    }

    @Test
    void fractionalOutputIsAnErrorWithEveryFix() {
        Report r = failing(1, 7, 7, layer("Conv", "s3", "filters", 1, "kernel", 3, "stride", 3));
        Diagnostic d = only(r, Message.FRACTIONAL_OUTPUT);
        assertEquals("stride", d.attribute());
        // Height and width have the same arithmetic: reported once, for both.
        assertEquals(1, r.errorCount());
        assertEquals("[strider/fractional-output] Conv \"s3\": output height and width (7 - 3 + 2*0)/3 + 1 = 2.33 is not a whole "
                + "number, so the windows do not tile the input. Padding 1 gives 3; stride 2 gives 3; rounding = FLOOR gives 2 "
                + "(drops 1 input row and column); padding = SAME gives 3.", d.text());
    }

    @Test
    void fractionalOutputInOneDimensionNamesIt() {
        Report r = failing(1, 8, 7, layer("Conv", "s3", "filters", 1, "kernel", 3, "stride", new int[] {1, 3}));
        Diagnostic d = only(r, Message.FRACTIONAL_OUTPUT);
        assertTrue(d.text().contains("output width (7 - 3 + 2*0)/3 + 1 = 2.33"), d.text());
        assertTrue(d.text().contains("rounding = FLOOR gives 2 (drops 1 input column)"), d.text());
    }

    @Test
    void dilationIsShownInTheFractionalMessage() {
        // dilated window 2*(3-1)+1 = 5; (10 - 5)/2 + 1 = 3.5
        Report r = failing(1, 10, 10, layer("Conv", "d", "kernel", 3, "dilation", 2, "stride", 2));
        Diagnostic d = only(r, Message.FRACTIONAL_OUTPUT);
        assertTrue(d.text().contains("(10 - 5 + 2*0)/2 + 1 = 3.50 is not a whole number (dilated window 2*(3-1)+1 = 5)"), d.text());
    }

    @ParameterizedTest(name = "{0} x {1}/{2} pad {3} {4} -> {5}")
    @CsvSource({
        // in, kernel, stride, padding, rounding, expected out
        "224, 11, 4, 2, FLOOR, 55",   // AlexNet conv1: 55.25 floored
        "224, 7, 2, 3, FLOOR, 112",   // ResNet stem: 112.5 floored
        "112, 3, 2, 1, FLOOR, 56",    // ResNet max pool
        "7, 3, 3, 0, FLOOR, 2",
        "7, 3, 3, 0, CEIL, 3",
        "28, 5, 1, 2, STRICT, 28",
        "32, 5, 1, 0, STRICT, 28",
    })
    void outputSizes(int in, int kernel, int stride, int padding, Rounding rounding, long expected) {
        CheckedNetwork n = ok(1, in, in, layer("Conv", "c", "kernel", kernel, "stride", stride, "padding", padding, "rounding", rounding));
        assertEquals(expected, n.output().height());
        assertEquals(expected, n.output().width());
    }

    @Test
    void ceilModeDropsAWindowThatStartsInThePadding() {
        // PyTorch: MaxPool2d(2, stride=2, padding=1, ceil_mode=True) on 4 -> ceil((4+2-2)/2)+1 = 3; (3-1)*2 = 4 >= 4+1? no: 3.
        assertEquals(3, ok(1, 4, 4, layer("MaxPool", "p", "window", 2, "padding", 1, "rounding", Rounding.CEIL)).output().height());
        // On 5 with window 2, stride 2, padding 0: ceil(3/2)+1 = 3, and (3-1)*2 = 4 < 5: kept.
        assertEquals(3, ok(1, 5, 5, layer("MaxPool", "p", "window", 2, "rounding", Rounding.CEIL)).output().height());
        // GoogLeNet: 3x3/2 ceil on 112 -> 56.
        assertEquals(56, ok(1, 112, 112, layer("MaxPool", "p", "window", 3, "stride", 2, "rounding", Rounding.CEIL)).output().height());
    }

    @Test
    void samePaddingGivesCeilOfInputOverStride() {
        CheckedNetwork n = ok(3, 7, 7, layer("Conv", "c", "kernel", 3, "stride", 3, "padding", Decls.SAME));
        assertEquals(3, n.output().height());
        CheckedNetwork m = ok(3, 224, 224, layer("Conv", "c", "kernel", 7, "stride", 2, "padding", Decls.SAME));
        assertEquals(112, m.output().height());
    }

    @Test
    void networkRoundingAppliesUnlessTheLayerOverrides() {
        Report floor = new Report();
        CheckedNetwork n = NetworkChecker.check(network(1, 7, 7, 1, -1, Rounding.FLOOR, Loss.SOFTMAX_CROSS_ENTROPY,
                List.of(layer("Conv", "a", "kernel", 3, "stride", 3))), floor);
        assertNotNull(n, floor.items()::toString);
        assertEquals(2, n.output().height()); // 2.33 floored under the network's policy
        Report strict = new Report();
        assertNull(NetworkChecker.check(network(1, 7, 7, 1, -1, Rounding.FLOOR, Loss.SOFTMAX_CROSS_ENTROPY,
                List.of(layer("Conv", "a", "kernel", 3, "stride", 3, "rounding", Rounding.STRICT))), strict));
        only(strict, Message.FRACTIONAL_OUTPUT);
    }

    @Test
    void kernelLargerThanPaddedInput() {
        Report r = failing(1, 5, 5, layer("Conv", "big", "kernel", 7));
        Diagnostic d = only(r, Message.KERNEL_TOO_LARGE);
        assertEquals("kernel", d.attribute());
        assertTrue(d.text().contains("the kernel height and width 7 is larger than the padded input height and width 5 + 2*0 = 5"), d.text());
        assertTrue(d.text().contains("(5 - 7 + 2*0)/1 + 1 = -1.00"), d.text());
    }

    @Test
    void groupsMustDivideChannels() {
        Report r = failing(6, 8, 8, layer("Conv", "g", "filters", 16, "kernel", 3, "padding", 1, "groups", 4));
        Diagnostic d = only(r, Message.GROUPS_MISMATCH);
        assertEquals("groups", d.attribute());
        assertTrue(d.text().contains("6 input channels are not divisible by 4"), d.text());
        assertTrue(d.text().contains("Groups that divide both: 1, 2."), d.text());
        CheckedNetwork depthwise = ok(8, 8, 8, layer("Conv", "dw", "filters", 8, "kernel", 3, "padding", 1, "groups", 8));
        assertEquals(8 * 9 + 8, depthwise.params());
        assertEquals(8 * 8 * 8 * 9, depthwise.macs());
    }

    @Test
    void batchNormStateIsNotAParameter() {
        CheckedNetwork n = ok(3, 8, 8,
                layer("Conv", "c", "filters", 4, "kernel", 3, "padding", 1, "bias", false),
                layer("BatchNorm", "bn"),
                layer("ReLU", "r"));
        assertEquals(4 * 3 * 9 + 2 * 4, n.params());
        assertEquals(2 * 4, n.nonTrainableParams());
    }

    @Test
    void everyInvalidValueIsReportedInOnePass() {
        Report r = failing(1, 28, 28,
                layer("Conv", "a", "filters", 0, "kernel", 3),
                layer("Conv", "b", "kernel", 3, "stride", 0),
                layer("Conv", "c", "kernel", new int[] {3, 3, 3}),
                layer("Dropout", "d", "rate", 1.0),
                layer("BatchNorm", "e", "epsilon", 0.0),
                layer("Dense", "f", "units", -4));
        assertEquals(6, r.errorCount(), r.items()::toString);
        assertTrue(r.items().stream().allMatch(d -> d.message() == Message.INVALID_VALUE));
        assertEquals(List.of("filters", "stride", "kernel", "rate", "epsilon", "units"),
                r.items().stream().map(Diagnostic::attribute).toList());
        assertTrue(r.items().get(1).text().contains("stride must be between 1 and 65,536, but it is 0"), r.items().get(1).text());
        assertTrue(r.items().get(2).text().contains("but 3 were given"), r.items().get(2).text());
        assertTrue(r.items().get(3).text().contains("rate must be in [0, 1), but it is 1"), r.items().get(3).text());
    }

    @Test
    void valueAndShapeErrorsInDifferentLayersAreAllReported() {
        Report r = failing(6, 8, 8,
                layer("Conv", "g", "filters", 16, "kernel", 3, "padding", 1, "groups", 4), // shape rule: groups
                layer("MaxPool", "p", "window", 3),                                        // (8-3)/3+1: fractional
                layer("Dropout", "d", "rate", 1.5),                                         // value
                layer("Conv", "after", "kernel", 99));                                      // after an invalid layer: unknown input
        assertEquals(List.of(Message.INVALID_VALUE, Message.GROUPS_MISMATCH, Message.FRACTIONAL_OUTPUT),
                r.items().stream().map(Diagnostic::message).toList(), r.items()::toString);
    }

    @Test
    void shapeErrorsInSeveralLayersAreAllReported() {
        Report r = failing(1, 7, 7,
                layer("Conv", "a", "kernel", 3, "stride", 2, "padding", 0),   // (7-3)/2+1 = 3
                layer("MaxPool", "b", "window", 2),                          // (3-2)/2+1 = 1.5: fractional
                layer("Conv", "c", "kernel", 1, "stride", 1));
        assertEquals(1, r.errorCount(), r.items()::toString);
        assertTrue(r.items().get(0).text().contains("MaxPool \"b\""));
        assertTrue(r.items().get(0).text().contains("rounding = CEIL gives 2"), r.items().get(0).text());
    }

    @Test
    void spatialLayerAfterDenseNeedsSpatialInput() {
        Report r = failing(1, 8, 8, layer("Dense", "fc", "units", 10), layer("Conv", "c", "kernel", 1));
        Diagnostic d = only(r, Message.NEEDS_SPATIAL_INPUT);
        assertTrue(d.text().contains("\"fc\" produces the flat shape [10]"), d.text());
        assertTrue(d.text().contains("input [1,8,8] -> fc [10]"), d.text());
    }

    @Test
    void poolPaddingAtMostHalfTheWindow() {
        Report r = failing(1, 8, 8, layer("MaxPool", "p", "window", 3, "stride", 1, "padding", 2));
        Diagnostic d = only(r, Message.POOL_PADDING);
        assertEquals("padding", d.attribute());
        assertTrue(d.text().contains("Use padding 1 or less"), d.text());
    }

    @Test
    void softmaxOnlyLastUnderCrossEntropy() {
        Report r = failing(1, 4, 4, layer("Dense", "a", "units", 4), layer("Softmax", "sm"), layer("Dense", "b", "units", 2));
        Diagnostic d = only(r, Message.SOFTMAX_NOT_LAST);
        assertTrue(d.text().contains("Softmax \"sm\" is layer 2 of 3"), d.text());
        ok(1, 4, 4, layer("Dense", "a", "units", 4, "activation", Activation.RELU), layer("Dense", "b", "units", 2, "activation", Activation.SOFTMAX));
    }

    @Test
    void expectParamsMismatchListsPerLayerCounts() {
        Report r = new Report();
        var decl = network(1, 4, 4, 1, 100, Rounding.STRICT, Loss.SOFTMAX_CROSS_ENTROPY,
                List.of(layer("Dense", "a", "units", 5, "activation", Activation.RELU), layer("Dense", "b", "units", 2)));
        assertNull(NetworkChecker.check(decl, r));
        Diagnostic d = only(r, Message.EXPECT_PARAMS);
        // a: 16*5+5 = 85, b: 5*2+2 = 12, total 97
        assertEquals("[strider/expect-params] Network Test has 97 trainable parameters, but expectParams = 100 (3 fewer than expected). Per layer: a 85, b 12.", d.text());
    }

    @Test
    void overflowingSizesAreErrorsNotNegativeArrays() {
        Report r = failing(1_000_000, 1_000, 1_000, layer("ReLU", "r"));
        Diagnostic d = only(r, Message.SIZE_OVERFLOW);
        assertEquals("[strider/size-overflow] @Input: one image is 1,000,000,000,000 values, more than a Java array can hold "
                + "(2^31 - 1 = 2,147,483,647). Reduce the input size, the channels or maxBatch.", d.text());
        Report batch = new Report();
        assertNull(NetworkChecker.check(network(64, 512, 512, 256, -1, Rounding.STRICT, Loss.MEAN_SQUARED_ERROR,
                List.of(layer("Conv", "c", "filters", 64, "kernel", 3, "padding", 1))), batch));
        assertTrue(only(batch, Message.SIZE_OVERFLOW).text().contains("maxBatch = 256 images of 16,777,216 values are 4,294,967,296 values"),
                batch.items()::toString);
    }

    @Test
    void warningsDoNotStopTheNetwork() {
        Report r = new Report();
        CheckedNetwork n = NetworkChecker.check(network(1, 16, 16, List.of(
                layer("MaxPool", "big", "window", 4),
                layer("MaxPool", "gappy", "window", 2, "stride", 3, "rounding", Rounding.FLOOR),
                layer("Dense", "a", "units", 4),
                layer("Dense", "b", "units", 2))), r);
        assertNotNull(n);
        assertEquals(List.of(Message.LARGE_POOL_WINDOW, Message.STRIDE_OVER_WINDOW, Message.NO_NONLINEARITY),
                r.items().stream().map(Diagnostic::message).toList());
        assertTrue(r.items().get(1).text().contains("1 of every 3 input rows and columns is never seen"), r.items().get(1).text());
        assertTrue(r.items().get(2).text().contains("Dense \"b\" follows Dense \"a\""), r.items().get(2).text());
    }

    @Test
    void receptiveFieldRecordIsSaturating() {
        ReceptiveField rf = new ReceptiveField(1, 1, Long.MAX_VALUE / 2, 1).through(5, 1, 4, 1);
        assertEquals(Long.MAX_VALUE, rf.sizeH());
        assertEquals(Long.MAX_VALUE, rf.jumpH());
    }
}
