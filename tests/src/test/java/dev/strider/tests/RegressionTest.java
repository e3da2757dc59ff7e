package dev.strider.tests;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.strider.tests.Compilers.compile;
import static dev.strider.tests.Compilers.network;
import static dev.strider.tests.Compilers.single;

import com.google.testing.compile.Compilation;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for processor bugs found by review of the diagnostics (each describes the bug it pins down).
 */
class RegressionTest {

    /** Same root cause: {@code Outer.Inner} and a top-level {@code Outer_Inner} both generate {@code Outer_InnerSpec}. */
    @Test
    @DisplayName("Outer.Inner and Outer_Inner clash on Outer_InnerSpec as an internal error")
    void generatedNameClashBetweenTwoNetworksIsAUserError() {
        JavaFileObject src = Compilers.source("test.Outer",
                "class Outer {",
                "    @Network(maxBatch = 1)",
                "    @Input(channels = 1, height = 4, width = 4)",
                "    abstract static class Inner {",
                "        @Dense(units = 3) Layer fc;",
                "    }",
                "}",
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Outer_Inner {",
                "    @Dense(units = 3) Layer fc;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("Outer_InnerSpec");
    }

    /**
     * Pool.java:33 passes the literal "window" as the %s of "the %s window %d" (Message.STRIDE_OVER_WINDOW), so the
     * warning reads "stride 3 is larger than the window window 1". Fix: drop the argument and the %s ("larger than the
     * window %d"), or pass the layer kind ("the max-pool window 2").
     */
    @Test
    @DisplayName("stride-over-window says \"the window window 1\"")
    void strideOverWindowSaysWindowOnce() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @AvgPool(window = 1,",
                "          stride = 3) Layer p;",
                "}");
        String warning = single(compile(src), Diagnostic.Kind.WARNING, "[strider/stride-over-window]");
        assertThat(warning).doesNotContain("window window");
        assertThat(warning).contains("stride 3 is larger than the window 1");
    }

    /**
     * Pool.java:29-34: when both the stride's height and width exceed the window (any square case), the warning only
     * says "input rows are never seen". Fix: say "rows and columns" when both dimensions skip input.
     */
    @Test
    @DisplayName("stride-over-window on a square pool only mentions rows")
    void strideOverWindowInBothDimensionsNamesRowsAndColumns() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @MaxPool(window = 1,",
                "          stride = 3) Layer p;",
                "}");
        String warning = single(compile(src), Diagnostic.Kind.WARNING, "[strider/stride-over-window]");
        assertThat(warning).contains("2 of every 3 input rows and columns are never seen");
    }

    /**
     * SpatialFilter.java:41-43 prints the padding list as integers, so Padding.SAME shows as Integer.MIN_VALUE: "but it
     * is [-2147483648, 1]". Fix: render SAME by name, e.g. "but it is {Padding.SAME, 1}".
     */
    @Test
    @DisplayName("padding = {SAME, 1} is echoed as [-2147483648, 1]")
    void mixedSamePaddingIsEchoedReadably() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3,",
                "          padding = {Padding.SAME, 1}) Layer c1;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorContaining("[strider/invalid-value] Conv \"c1\": padding = SAME stands alone")
                .inFile(src).onLineContaining("padding = {Padding.SAME, 1}");
        String error = single(c, Diagnostic.Kind.ERROR, "[strider/invalid-value]");
        assertThat(error).doesNotContain("-2147483648");
        assertThat(error).contains("SAME, 1");
    }

    /**
     * SpatialFilter.Dim.fixes (dropped = num % s): with padding P the last num % s positions of the PADDED input are
     * skipped, and the last P of them are padding, not input. On 8 with kernel 3, stride 2, padding 1, FLOOR gives 4
     * windows starting at padded 0, 2, 4, 6: they cover padded 0..8, i.e. every input row (1..8); only the padding row
     * 9 is dropped. The message says "drops 1 input row and column". Fix: dropped input = max(0, num % s - P), and say
     * "drops only padding" when it is 0.
     */
    @Test
    @DisplayName("rounding = FLOOR claims to drop input rows that are padding")
    void floorFixCountsDroppedInputNotDroppedPadding() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = 1,",
                "          stride = 2) Layer c1;",
                "}");
        String error = single(compile(src), Diagnostic.Kind.ERROR, "[strider/fractional-output]");
        assertThat(error).contains("rounding = FLOOR gives 4");
        assertThat(error).doesNotContain("drops 1 input row");
    }

    /**
     * SpatialFilter.Dim.fixes offers square padding and stride values for one dimension. On a 6x7 input with kernel 3,
     * stride 3 only the width is fractional, and the message suggests "Padding 1 gives 3; stride 2 gives 3", but
     * padding = 1 makes the height (6 - 3 + 2)/3 + 1 = 2.67 and stride = 2 makes it (6 - 3)/2 + 1 = 2.5: both fixes
     * fail to compile. Fix: when height and width differ, offer the pair form, "padding = {0, 1} gives 3", "stride =
     * {3, 2} gives 3" (or check a square value against the other dimension before offering it).
     */
    @Test
    @DisplayName("fixes offered for one dimension break the other")
    void suggestedFixesForOneDimensionKeepTheOtherWhole() {
        DiagnosticsTest.assertEverySuggestedFixWorks(6, 7, "Conv", "filters = 2, kernel = 3", "3", null);
    }

    /**
     * NetworkChecker.java:112 reuses the activation check for parameters with batch 1, so the message reads "Dense
     * \"fc\" parameters: one image's worth is 4,398,047,559,680 values ... Reduce the input size, the channels or
     * maxBatch": parameters are not per image and do not depend on maxBatch. Fix: a separate text for parameters, e.g.
     * "Dense \"fc\": its weights are 4,398,047,559,680 values, more than a Java array can hold ... Use fewer units or
     * downsample before this layer."
     */
    @Test
    @DisplayName("size-overflow of parameters talks about images and maxBatch")
    void parameterOverflowDoesNotTalkAboutImagesOrBatches() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 2048, width = 2048)",
                "abstract class Foo {",
                "    @Dense(units = 1048576)",
                "    Layer fc;",
                "}");
        String error = single(compile(src), Diagnostic.Kind.ERROR, "[strider/size-overflow]");
        assertThat(error).contains("4,398,047,559,680");
        assertThat(error).doesNotContain("image");
        assertThat(error).doesNotContain("maxBatch");
    }

    /**
     * docs/errors.md promises "all errors of a network are reported in one pass", but NetworkReader.read returns
     * Unreadable as soon as a structural error (missing-input, layer-field, multiple-layer-annotations) is in the
     * report (NetworkReader.java:108), and NetworkStep then skips NetworkChecker: the value errors of the valid fields
     * and of @Network only show up after the structure is fixed, one more compile later. Here maxBatch = 0 and
     * units = 0 are not reported. Fix: read the valid layers even when others are malformed, run the value checks
     * (NetworkChecker.checkNetworkValues and Layers.create) on them, and skip only shape inference.
     */
    @Test
    @DisplayName("a structural error hides every value error of the network")
    void structuralErrorsDoNotHideValueErrors() {
        JavaFileObject src = network(
                "@Network(",
                "    maxBatch = 0)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Dense(",
                "        units = 0) Layer fc;",
                "    @ReLU int r;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("[strider/layer-field] \"r\"").inFile(src).onLineContaining("@ReLU int r;");
        assertThat(c).hadErrorContaining("@Network: maxBatch must be between 1 and 1,048,576, but it is 0.")
                .inFile(src).onLineContaining("maxBatch = 0");
        assertThat(c).hadErrorContaining("Dense \"fc\": units must be between 1 and 16,777,216, but it is 0.")
                .inFile(src).onLineContaining("units = 0");
        assertThat(c).hadErrorCount(3);
    }

}
