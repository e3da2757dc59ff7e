package dev.strider.processor;

import static dev.strider.processor.Decls.layer;
import static dev.strider.processor.Decls.network;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.dsl.Activation;
import dev.strider.dsl.Loss;
import dev.strider.dsl.Rounding;
import dev.strider.processor.diag.Diagnostic;
import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.lower.EngineArray;
import dev.strider.processor.lower.EnginePlan;
import dev.strider.processor.lower.Lowering;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.validate.CheckedNetwork;
import dev.strider.processor.validate.NetworkChecker;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine's arrays as the lowering sizes them: lengths and bytes in long, and the Java array limit. */
class EnginePlanTest {

    /** A checked and lowered network of maxBatch 1 (the checker must accept it). */
    private static EnginePlan plan(long c, long h, long w, LayerDecl... layers) {
        Report report = new Report();
        CheckedNetwork n = NetworkChecker.check(network(c, h, w, 1, -1, Rounding.STRICT, Loss.MEAN_SQUARED_ERROR, List.of(layers)), report);
        assertNotNull(n, () -> "expected a checked network, got " + report.items());
        return Lowering.lower(n);
    }

    private static EngineArray array(EnginePlan plan, String field) {
        return plan.arrays().stream().filter(a -> a.field().equals(field)).findFirst().orElseThrow();
    }

    private static Diagnostic overflow(EnginePlan plan) {
        Report report = new Report();
        assertFalse(plan.checkArrayLengths(report));
        assertEquals(1, report.items().size(), report.items()::toString);
        Diagnostic d = report.items().get(0);
        assertEquals(Message.SIZE_OVERFLOW, d.message());
        return d;
    }

    @Test
    void im2colScratchOverAJavaArrayIsASizeOverflowOnTheConvolution() {
        // input [256,1024,1024] = 268,435,456 values and output [1,1024,1024] fit; the patches of one image are
        // 256 * 3*3 * 1024*1024 = 2,415,919,104 values (as an int: -1,879,048,192)
        EnginePlan plan = plan(256, 1024, 1024, layer("Conv", "c1", "kernel", 3, "padding", 1));
        assertEquals(2_415_919_104L, array(plan, "c1Col").length());
        assertEquals(2_415_919_104L, array(plan, "c1ColGrad").length());
        // outputs and their gradients 2 * 1,048,576; weights, bias and their gradients 2 * (2,304 + 1); im2col twice
        assertEquals(4L * (2 * 1_048_576 + 2 * 2_305 + 2 * 2_415_919_104L), plan.engineBytes());
        assertEquals(4L * 2 * 2_415_919_104L, plan.engineBytes(EngineArray.Role.SCRATCH));
        Diagnostic d = overflow(plan);
        assertEquals("[strider/size-overflow] Conv \"c1\": its im2col scratch c1Col (the patches of one image: 256 input "
                + "channels * 3x3 kernel taps * 1024x1024 output positions) is 2,415,919,104 values, more than a Java array "
                + "can hold (2^31 - 1 = 2,147,483,647). Use fewer input channels per group, a smaller kernel, a larger "
                + "stride or a smaller input.", d.text());
        assertEquals("Test.c1", d.where().describe());
        assertNull(d.attribute());
    }

    @Test
    void im2colScratchThatWouldWrapToAPositiveIntIsStillAnOverflow() {
        // 512 * 3*3 * 1024*1024 = 4,831,838,208 = 2^32 + 536,870,912: as an int, a plausible and far too short array
        EnginePlan plan = plan(512, 1024, 1024, layer("Conv", "c1", "kernel", 3, "padding", 1, "activation", Activation.RELU));
        assertEquals(4_831_838_208L, array(plan, "c1Col").length());
        assertEquals(4L * (2 * 1_048_576 + 2 * 4_609 + 2 * 4_831_838_208L), plan.engineBytes());
        assertTrue(overflow(plan).text().contains(" is 4,831,838,208 values, "));
    }

    @Test
    void groupedConvolutionNamesItsPatchesPerGroup() {
        // 2 groups of 256 input channels: 256 * 3*3 * 1024*1024 per group, the second layer fits
        EnginePlan plan = plan(512, 1024, 1024, layer("Conv", "g", "filters", 2, "groups", 2, "kernel", 3, "padding", 1),
                layer("Conv", "ok", "filters", 1, "kernel", 3, "padding", 1));
        assertEquals("[strider/size-overflow] Conv \"g\": its im2col scratch gCol (the patches of one image and group: 256 "
                + "input channels per group * 3x3 kernel taps * 1024x1024 output positions) is 2,415,919,104 values, more "
                + "than a Java array can hold (2^31 - 1 = 2,147,483,647). Use fewer input channels per group, a smaller "
                + "kernel, a larger stride or a smaller input.", overflow(plan).text());
    }

    @Test
    void arraysUpToTheLimitPass() {
        // 2 * 3*3 * 1024*1024 = 18,874,368 patch values
        EnginePlan plan = plan(2, 1024, 1024, layer("Conv", "c1", "kernel", 3, "padding", 1));
        Report report = new Report();
        assertTrue(plan.checkArrayLengths(report));
        assertTrue(report.items().isEmpty(), report.items()::toString);
        assertEquals(18_874_368L, array(plan, "c1Col").length());
        assertEquals(4L * (2 * 1_048_576 + 2 * 19 + 2 * 18_874_368), plan.engineBytes());
    }

    /**
     * The forward product's source (the runtime's ImplicitConv, whose test has the same sizes): none when the input is
     * read in place, else each channel zero-padded to the rows and columns some output reads, split into the
     * stride's phases that some tap reads.
     */
    @Test
    void convolutionSourceLengths() {
        // LeNet-5's c3: 6x14x14, 5x5, no padding: in place
        assertEquals(0, conv(6, 14, 14, 10, 10, 5, 1, 0).sourceLength());
        assertTrue(conv(6, 14, 14, 10, 10, 5, 1, 0).readsInPlace());
        // 3x3, padding 1 on 56x56: (56 - 1) + 2 + 1 = 58 rows and columns
        assertEquals(64L * 58 * 58, conv(64, 56, 56, 56, 56, 3, 1, 1).sourceLength());
        // 7x7, stride 2, padding 3 on 224x224 -> 112: rows 2*111 + 6 + 1 = 229, four phases of 115 x 115
        assertEquals(3L * 4 * 115 * 115, conv(3, 224, 224, 112, 112, 7, 2, 3).sourceLength());
        // 1x1, stride 2 on 56x56 -> 28: one phase of four, 28 x 28 (rows 2*27 + 1 = 55, ceil(55/2) = 28)
        assertEquals(64L * 28 * 28, conv(64, 56, 56, 28, 28, 1, 2, 0).sourceLength());
        assertFalse(conv(64, 56, 56, 28, 28, 1, 2, 0).readsInPlace());
    }

    private static dev.strider.processor.lower.Kernel.Conv conv(int c, int ih, int iw, int oh, int ow, int k, int stride, int pad) {
        return new dev.strider.processor.lower.Kernel.Conv(new dev.strider.processor.lower.Kernel.Window(c, ih, iw, oh, ow, k, k, stride, stride,
                1, 1, pad, pad, pad, pad), 8, 1, false, Activation.NONE, 0f);
    }
}
