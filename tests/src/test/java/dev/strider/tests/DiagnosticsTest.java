package dev.strider.tests;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.strider.tests.Compilers.compile;
import static dev.strider.tests.Compilers.compileWith;
import static dev.strider.tests.Compilers.network;
import static dev.strider.tests.Compilers.report;
import static dev.strider.tests.Compilers.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import dev.strider.processor.diag.Message;
import dev.strider.runtime.report.NetworkReport;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every diagnostic in {@link Message}, through javac: the id, the exact text with its numbers, and the source line it
 * is reported on (the annotation value at fault when there is one). Every inline source puts each layer annotation
 * (or the offending value) on a line of its own, so that {@code onLineContaining} means something. Every compilation
 * goes through {@link Compilers#compile}, which fails the test on a {@code [strider/internal-error]}.
 */
class DiagnosticsTest {

    /**
     * The ids the tests below (and {@link WiringDiagnosticsTest}, for the wiring ids) exercise;
     * {@link #everyMessageIdHasATest} keeps this in step with the catalog.
     */
    private static final Set<String> COVERED = Set.of(
            "network-kind", "missing-input", "no-layers", "layer-field", "multiple-layer-annotations", "orphan-layer",
            "unresolved-type", "invalid-value", "groups-mismatch", "pool-padding", "fractional-output",
            "kernel-too-large", "needs-spatial-input", "size-overflow", "softmax-not-last", "expect-params",
            "large-pool-window", "stride-over-window", "no-nonlinearity", "orphan-input", "name-clash", "local-network",
            "engine-too-large", "unknown-input", "input-count", "merge-shapes", "unused-output", "block-use", "block-bind", "learning-rate",
            "tensor-name", "hidden-layer");   // learning-rate: DeclaredTrainingTest; tensor-name: TensorNameTest; hidden-layer: NetworkInheritanceTest

    @Test
    void everyMessageIdHasATest() {
        Set<String> ids = Arrays.stream(Message.values()).map(Message::id).collect(Collectors.toCollection(TreeSet::new));
        ids.remove("internal-error"); // no valid or invalid input may trigger it: asserted absent by every test instead
        assertEquals(new TreeSet<>(COVERED), ids, "a Message id without a compile test here (or a test for a removed id)");
    }

    // ------------------------------------------------------------------------------------------------ structure

    @Test
    void networkKindOnAnInterface() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 7, width = 7)",
                "interface Foo {",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/network-kind] @Network must annotate a class, but Foo is an interface. "
                        + "Declare the network as an (abstract) class with one Layer field per layer.")
                .inFile(src).onLineContaining("@Network(maxBatch = 1)");
    }

    @Test
    void networkKindOnARecord() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "record Foo(",
                "    @Dense(units = 3) Layer fc) {",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/network-kind] @Network must annotate a class, but Foo is a record.")
                .inFile(src).onLineContaining("@Network(maxBatch = 1)");
    }

    @Test
    void missingInput() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "abstract class Foo {",
                "    @Conv(filters = 2, kernel = 3)",
                "    Layer c1;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/missing-input] Network Foo has no @Input: add @Input(channels = ..., "
                        + "height = ..., width = ...) to the class to fix the shape of one input image.")
                .inFile(src).onLineContaining("@Network(maxBatch = 1)");
    }

    @Test
    void noLayers() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 7, width = 7)",
                "abstract class Foo {",
                "    int notALayer;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/no-layers] Network Foo declares no layers: add fields of type Layer "
                        + "annotated with @Conv, @MaxPool, @Dense, ...")
                .inFile(src).onLineContaining("@Network(maxBatch = 1)");
    }

    @Test
    void layerFieldOfTheWrongTypeAndStaticLayerField() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 7, width = 7)",
                "abstract class Foo {",
                "    @Conv(filters = 2, kernel = 3)",
                "    String c1;",
                "    @ReLU",
                "    static Layer r;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(2); // both fields, in one pass
        assertThat(c).hadErrorContaining("[strider/layer-field] \"c1\": a layer must be declared as a non-static field of "
                        + "type dev.strider.dsl.Layer, but this field is of type java.lang.String. Declare it as `Layer c1;`.")
                .inFile(src).onLineContaining("String c1;");
        assertThat(c).hadErrorContaining("[strider/layer-field] \"r\": a layer must be declared as a non-static field of "
                        + "type dev.strider.dsl.Layer, but this field is static of type dev.strider.dsl.Layer.")
                .inFile(src).onLineContaining("static Layer r;");
    }

    @Test
    void multipleLayerAnnotationsPointAtTheSecondAnnotation() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 7, width = 7)",
                "abstract class Foo {",
                "    @Conv(filters = 2, kernel = 3)",
                "    @ReLU",
                "    Layer c1;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/multiple-layer-annotations] \"c1\" has 2 layer annotations (@Conv, @ReLU), "
                        + "but a field declares exactly one layer. Declare one field per layer (a conv or dense layer can "
                        + "fuse its activation with activation = ...).")
                .inFile(src).onLineContaining("@ReLU");
    }

    @Test
    void orphanLayer() {
        JavaFileObject src = network(
                "abstract class Foo {",
                "    @Conv(filters = 2, kernel = 3)",
                "    Layer c1;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/orphan-layer] \"c1\" is annotated @Conv, but Foo is not annotated "
                        + "@Network, so this layer belongs to no network. Annotate the class with @Network and @Input, or "
                        + "remove the annotation.")
                .inFile(src).onLineContaining("@Conv(filters = 2, kernel = 3)");
    }

    @Test
    void unresolvedFieldTypeGivesJavacsErrorAndNoInternalError() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 7, width = 7)",
                "abstract class Foo {",
                "    @Conv(filters = 2, kernel = 3)",
                "    Missing c1;",
                "}");
        Compilation c = compile(src); // asserts no internal error, and would throw on a processor exception
        assertThat(c).failed();
        assertThat(c).hadErrorCount(2);
        assertThat(c).hadErrorContaining("cannot find symbol").inFile(src).onLineContaining("Missing c1;");
        assertThat(c).hadErrorContaining("[strider/unresolved-type] Network Foo could not be checked because the type "
                        + "Missing of field c1 could not be resolved. Fix the other compile errors first.")
                .inFile(src).onLineContaining("Missing c1;");
    }

    @Test
    void annotationValuesJavacRejectsAreLeftToJavac() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Conv(filters = UNKNOWN, kernel = 3)",
                "    Layer c1;",
                "    @Conv(filters = 2, kernel = \"3\")",
                "    Layer c2;",
                "    @Dense(activation = Activation.NOPE)",
                "    Layer fc;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("cannot find symbol").inFile(src).onLineContaining("filters = UNKNOWN");
        assertThat(c).hadErrorContaining("incompatible types").inFile(src).onLineContaining("kernel = \"3\"");
        assertThat(c).hadErrorContaining("cannot find symbol").inFile(src).onLineContaining("Activation.NOPE");
        assertTrue(Compilers.messages(c, Diagnostic.Kind.ERROR, "[strider/").isEmpty(),
                () -> "Strider added diagnostics to javac's own:\n" + Compilers.describe(c));
    }

    // ------------------------------------------------------------------------------------------------ values

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                invalid("stride 0", "Conv \"c1\": stride must be between 1 and 65,536, but it is 0.", "stride = 0",
                        "@Conv(filters = 4, kernel = 3,",
                        "      stride = 0) Layer c1;"),
                invalid("kernel 0", "Conv \"c1\": kernel must be between 1 and 65,536, but it is 0.", "kernel = 0",
                        "@Conv(filters = 4,",
                        "      kernel = 0) Layer c1;"),
                invalid("dilation 0", "Conv \"c1\": dilation must be between 1 and 65,536, but it is 0.", "dilation = 0",
                        "@Conv(filters = 4, kernel = 3,",
                        "      dilation = 0) Layer c1;"),
                invalid("filters 0", "Conv \"c1\": filters must be between 1 and 16,777,216, but it is 0.", "filters = 0",
                        "@Conv(kernel = 3,",
                        "      filters = 0) Layer c1;"),
                invalid("kernel with 3 values", "Conv \"c1\": kernel takes one value (the same for height and width) or two "
                                + "({height, width}), but 3 were given.", "kernel = {3, 3, 3}",
                        "@Conv(filters = 4,",
                        "      kernel = {3, 3, 3}) Layer c1;"),
                invalid("padding {SAME, 1}", "Conv \"c1\": padding = SAME stands alone (padding = Padding.SAME), it cannot "
                                + "be combined with other values, but it is ", "padding = {Padding.SAME, 1}",
                        "@Conv(filters = 4, kernel = 3,",
                        "      padding = {Padding.SAME, 1}) Layer c1;"),
                invalid("units 0", "Dense \"fc\": units must be between 1 and 16,777,216, but it is 0.", "units = 0",
                        "@Dense(",
                        "      units = 0) Layer fc;"),
                invalid("dropout rate 1.0", "Dropout \"drop\": rate must be in [0, 1), but it is 1.", "rate = 1.0",
                        "@Dropout(",
                        "      rate = 1.0) Layer drop;"),
                invalid("dropout rate -0.5", "Dropout \"drop\": rate must be in [0, 1), but it is -0.5.", "rate = -0.5",
                        "@Dropout(",
                        "      rate = -0.5) Layer drop;"),
                invalid("batchnorm epsilon 0", "BatchNorm \"bn\": epsilon must be greater than 0 and less than 1, but it is 0.",
                        "epsilon = 0",
                        "@BatchNorm(",
                        "      epsilon = 0) Layer bn;"),
                invalid("batchnorm momentum 1.5", "BatchNorm \"bn\": momentum must be in [0, 1], but it is 1.5.",
                        "momentum = 1.5",
                        "@BatchNorm(",
                        "      momentum = 1.5) Layer bn;"),
                invalid("leaky relu slope 1.5", "LeakyReLU \"lr\": slope must be in [0, 1), but it is 1.5.", "slope = 1.5",
                        "@LeakyReLU(",
                        "      slope = 1.5) Layer lr;"),
                invalid("pool window {}", "MaxPool \"p\": window takes one value (the same for height and width) or two "
                                + "({height, width}), but 0 were given.", "window = {}",
                        "@MaxPool(",
                        "      window = {}) Layer p;"));
    }

    /** A 1x8x8 network whose only layer is {@code layerLines}. */
    private static Arguments invalid(String name, String expected, String line, String... layerLines) {
        String[] lines = Stream.concat(Stream.of(
                        "@Network(maxBatch = 4)",
                        "@Input(channels = 1, height = 8, width = 8)",
                        "abstract class Foo {"),
                Stream.concat(Arrays.stream(layerLines).map(l -> "    " + l), Stream.of("}")))
                .toArray(String[]::new);
        return Arguments.of(name, expected, line, lines);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidValues")
    void invalidLayerValue(String name, String expected, String line, String[] lines) {
        JavaFileObject src = network(lines);
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/invalid-value] " + expected).inFile(src).onLineContaining(line);
    }

    static Stream<Arguments> invalidNetworkValues() {
        return Stream.of(
                Arguments.of("maxBatch 0", "@Network: maxBatch must be between 1 and 1,048,576, but it is 0.",
                        "maxBatch = 0", new String[] {"@Network(", "    maxBatch = 0)", "@Input(channels = 1, height = 8, width = 8)"}),
                Arguments.of("@Input channels 0", "@Input: channels must be between 1 and 1,048,576, but it is 0.",
                        "channels = 0", new String[] {"@Network(maxBatch = 1)", "@Input(height = 8, width = 8,", "    channels = 0)"}),
                Arguments.of("@Input height -1", "@Input: height must be between 1 and 1,048,576, but it is -1.",
                        "height = -1", new String[] {"@Network(maxBatch = 1)", "@Input(channels = 1, width = 8,", "    height = -1)"}),
                Arguments.of("network rounding INHERIT", "@Network: rounding = INHERIT means \"as the network says\" and is "
                                + "only meaningful on a layer; the network needs STRICT, FLOOR or CEIL.",
                        "rounding = Rounding.INHERIT", new String[] {"@Network(maxBatch = 1,", "    rounding = Rounding.INHERIT)",
                                "@Input(channels = 1, height = 8, width = 8)"}),
                Arguments.of("expectParams -5", "@Network: expectParams must be a parameter count (at least 0), or "
                                + "Network.UNCHECKED to skip the check, but it is -5.",
                        "expectParams = -5", new String[] {"@Network(maxBatch = 1,", "    expectParams = -5)",
                                "@Input(channels = 1, height = 8, width = 8)"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidNetworkValues")
    void invalidNetworkValue(String name, String expected, String line, String[] header) {
        String[] lines = Stream.concat(Arrays.stream(header), Stream.of(
                        "abstract class Foo {",
                        "    @Conv(filters = 2, kernel = 3, padding = 1, activation = Activation.RELU) Layer c1;",
                        "    @Dense(units = 10) Layer fc;",
                        "}"))
                .toArray(String[]::new);
        JavaFileObject src = network(lines);
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/invalid-value] " + expected).inFile(src).onLineContaining(line);
    }

    @Test
    void expectParamsUncheckedIsTheOnlyNegativeValueAllowed() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1, expectParams = Network.UNCHECKED)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Dense(units = 3) Layer fc;",
                "}");
        assertThat(compile(src)).succeededWithoutWarnings();
        JavaFileObject minusOne = network(
                "@Network(maxBatch = 1, expectParams = -1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Dense(units = 3) Layer fc;",
                "}");
        assertThat(compile(minusOne)).succeededWithoutWarnings();
    }

    @Test
    void allValueErrorsOfTwoLayersInOnePass() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3,",
                "          stride = 0) Layer c1;",
                "    @Dense(",
                "          units = 0) Layer fc;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(2);
        assertThat(c).hadErrorContaining("Conv \"c1\": stride must be between 1 and 65,536, but it is 0.")
                .inFile(src).onLineContaining("stride = 0");
        assertThat(c).hadErrorContaining("Dense \"fc\": units must be between 1 and 16,777,216, but it is 0.")
                .inFile(src).onLineContaining("units = 0");
    }

    @Test
    void allValueErrorsOfOneLayerAndTheNetworkInOnePass() {
        JavaFileObject src = network(
                "@Network(",
                "    maxBatch = 0)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3,",
                "          stride = 0,",
                "          dilation = -2) Layer c1;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(3);
        assertThat(c).hadErrorContaining("@Network: maxBatch must be between 1 and 1,048,576, but it is 0.")
                .inFile(src).onLineContaining("maxBatch = 0");
        assertThat(c).hadErrorContaining("Conv \"c1\": stride must be between 1 and 65,536, but it is 0.")
                .inFile(src).onLineContaining("stride = 0");
        assertThat(c).hadErrorContaining("Conv \"c1\": dilation must be between 1 and 65,536, but it is -2.")
                .inFile(src).onLineContaining("dilation = -2");
    }

    @Test
    void shapeErrorsInTwoLayersInOnePass() {
        // c1 is fractional (reported; checking goes on with the rounded-down 2x2), then c2's 3x3 kernel does not fit 2x2.
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 7, width = 7)",
                "abstract class Foo {",
                "    @Conv(filters = 2, kernel = 3, activation = Activation.RELU,",
                "          stride = 3) Layer c1;",
                "    @Conv(filters = 2, activation = Activation.RELU,",
                "          kernel = 3) Layer c2;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(2);
        assertThat(c).hadErrorContaining("[strider/fractional-output] Conv \"c1\"").inFile(src).onLineContaining("stride = 3");
        assertThat(c).hadErrorContaining("[strider/kernel-too-large] Conv \"c2\": the kernel height and width 3 is larger "
                        + "than the padded input height and width 2 + 2*0 = 2")
                .inFile(src).onLineContaining("kernel = 3) Layer c2;");
    }

    @Test
    void groupsMismatchOnInputChannels() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 3, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, activation = Activation.RELU,",
                "          groups = 2) Layer c1;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/groups-mismatch] Conv \"c1\": groups = 2 must divide both the input "
                        + "channels (3) and the output channels (4), but 3 input channels are not divisible by 2. Groups that "
                        + "divide both: 1.")
                .inFile(src).onLineContaining("groups = 2");
    }

    @Test
    void groupsMismatchOnFiltersListsTheCommonDivisors() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 12, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 18, kernel = 3, activation = Activation.RELU,",
                "          groups = 4) Layer c1;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("groups = 4 must divide both the input channels (12) and the output channels (18), "
                        + "but 18 filters are not divisible by 4. Groups that divide both: 1, 2, 3, 6.")
                .inFile(src).onLineContaining("groups = 4");
    }

    @Test
    void groupsMismatchOnBoth() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 3, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 5, kernel = 3, activation = Activation.RELU,",
                "          groups = 2) Layer c1;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("but 3 input channels are not divisible by 2 and 5 filters are not divisible by 2. "
                        + "Groups that divide both: 1.")
                .inFile(src).onLineContaining("groups = 2");
    }

    @Test
    void poolPaddingOverHalfTheWindow() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 3, height = 8, width = 8)",
                "abstract class Foo {",
                "    @MaxPool(window = 2,",
                "          padding = 2) Layer p;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/pool-padding] MaxPool \"p\": padding 2 is more than half the window 2, so "
                        + "a window could lie entirely in the padding. Use padding 1 or less, or a larger window.")
                .inFile(src).onLineContaining("padding = 2");
    }

    @Test
    void poolPaddingOnAvgPool() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 3, height = 9, width = 9)",
                "abstract class Foo {",
                "    @AvgPool(window = 3,",
                "          padding = 2) Layer p;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/pool-padding] AvgPool \"p\": padding 2 is more than half the window 3, so "
                        + "a window could lie entirely in the padding. Use padding 1 or less, or a larger window.")
                .inFile(src).onLineContaining("padding = 2");
    }

    // ------------------------------------------------------------------------------------------------ shapes

    /** The seeds' exercise: 7x7 input, 3x3 kernel, stride 3. */
    private static JavaFileObject sevenBySevenStrideThree(String roundingLine) {
        return network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 7, width = 7)",
                "abstract class Foo {",
                "    @Conv(filters = 2, kernel = 3,",
                "          stride = 3" + roundingLine + ") Layer c1;",
                "}");
    }

    @Test
    void seedsExerciseSevenBySevenKernelThreeStrideThreeIsFractional() {
        JavaFileObject src = sevenBySevenStrideThree("");
        Compilation c = compile(src);
        assertThat(c).failed();
        // Height and width have the same arithmetic: one error for both.
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("(7 - 3 + 2*0)/3 + 1 = 2.33").inFile(src).onLineContaining("stride = 3");
        assertThat(c).hadErrorContaining("[strider/fractional-output] Conv \"c1\": output height and width "
                        + "(7 - 3 + 2*0)/3 + 1 = 2.33 is not a whole number, so the windows do not tile the input. "
                        + "Padding 1 gives 3; stride 2 gives 3; rounding = FLOOR gives 2 (drops 1 input row and column); "
                        + "padding = SAME gives 3.")
                .inFile(src).onLineContaining("stride = 3");
    }

    @Test
    void seedsExerciseInTheWidthOnly() {
        // 6 rows tile exactly ((6 - 3)/3 + 1 = 2); the 7 columns do not: the message names the width and its columns.
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 6, width = 7)",
                "abstract class Foo {",
                "    @Conv(filters = 2, kernel = 3,",
                "          stride = 3) Layer c1;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/fractional-output] Conv \"c1\": output width (7 - 3 + 2*0)/3 + 1 = 2.33 "
                        + "is not a whole number, so the windows do not tile the input.")
                .inFile(src).onLineContaining("stride = 3");
        // Only the width is fractional: each fix changes the width alone and keeps the (whole) height.
        assertThat(c).hadErrorContaining("Padding = {0, 1} gives 3; stride = {3, 2} gives 3; rounding = FLOOR gives 2 (drops 1 input "
                        + "column); padding = SAME gives 3.")
                .inFile(src).onLineContaining("stride = 3");
    }

    @Test
    void fractionalOutputOnAKernelDeclaredWithoutStrideGoesOnTheKernel() {
        // (7 - 2)/1 + 1 is whole for a conv; a pool's stride defaults to its window: (7 - 2)/2 + 1 = 3.5.
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 7, width = 7)",
                "abstract class Foo {",
                "    @MaxPool(",
                "          window = 2) Layer p;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/fractional-output] MaxPool \"p\": output height and width "
                        + "(7 - 2 + 2*0)/2 + 1 = 3.50 is not a whole number, so the windows do not tile the input. Stride 1 "
                        + "gives 6; rounding = FLOOR gives 3 (drops 1 input row and column); rounding = CEIL gives 4; "
                        + "padding = SAME gives 4.")
                .inFile(src).onLineContaining("window = 2");
    }

    @Test
    void fractionalOutputShowsTheDilatedWindow() {
        // dilated window 2*(3-1)+1 = 5; (10 - 5)/2 + 1 = 3.5
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 10, width = 10)",
                "abstract class Foo {",
                "    @Conv(filters = 1, kernel = 3, dilation = 2,",
                "          stride = 2) Layer d;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("Conv \"d\": output height and width (10 - 5 + 2*0)/2 + 1 = 3.50 is not a whole "
                        + "number (dilated window 2*(3-1)+1 = 5), so the windows do not tile the input.")
                .inFile(src).onLineContaining("stride = 2");
    }

    /**
     * The fractional-output message lists fixes ("Padding 1 gives 3; stride 2 gives 3; rounding = FLOOR gives 2 ...;
     * padding = SAME gives 3."). Each is applied in turn to the declaration, which must then compile to the size the
     * fix announced, in the dimension(s) the message named.
     */
    static Stream<Arguments> fractionalCases() {
        return Stream.of(
                // height, width, layer, fixed values, stride, padding
                Arguments.of(7, 7, "Conv", "filters = 2, kernel = 3", "3", null),       // the seeds' exercise
                Arguments.of(8, 8, "Conv", "filters = 2, kernel = 3", "2", "1"),
                Arguments.of(10, 10, "Conv", "filters = 2, kernel = 3, dilation = 2", "2", null),
                Arguments.of(224, 224, "Conv", "filters = 2, kernel = 11", "4", "2"),   // AlexNet conv1
                Arguments.of(7, 7, "MaxPool", "window = 2", null, null),
                Arguments.of(12, 12, "AvgPool", "window = 3", "2", "1"),
                Arguments.of(9, 9, "MaxPool", "window = 2", "2", "1"));
    }

    @ParameterizedTest(name = "{0}x{1} {2}({3}, stride {4}, padding {5})")
    @MethodSource("fractionalCases")
    void everySuggestedFixCompilesToTheAnnouncedSize(int height, int width, String kind, String values, String stride, String padding) {
        assertEverySuggestedFixWorks(height, width, kind, values, stride, padding);
    }

    private static final java.util.regex.Pattern FIX = java.util.regex.Pattern.compile(
            "^(?:(?<attr>padding|stride) =? ?(?<value>\\{[^}]*\\}|\\d+)|rounding = (?<rounding>FLOOR|CEIL)|padding = (?<same>SAME)) "
                    + "gives (?:\\w+ )?(?<out>\\d+)", java.util.regex.Pattern.CASE_INSENSITIVE);

    /** See {@link #everySuggestedFixCompilesToTheAnnouncedSize}; also used by {@link KnownProcessorBugsTest}. */
    static void assertEverySuggestedFixWorks(int height, int width, String kind, String values, String stride, String padding) {
        Compilation failing = compile(fixedLayer(height, width, kind, values, stride, padding, null));
        String message = single(failing, Diagnostic.Kind.ERROR, "[strider/fractional-output]");
        String dims = message.substring(message.indexOf(": output ") + ": output ".length(), message.indexOf(" ("));
        String list = message.substring(message.indexOf("do not tile the input. ") + "do not tile the input. ".length());
        list = list.endsWith(".") ? list.substring(0, list.length() - 1) : list;
        int applied = 0;
        for (String fix : list.split("; ")) {
            java.util.regex.Matcher m = FIX.matcher(fix);
            assertTrue(m.find(), () -> "unrecognised fix \"" + fix + "\" in: " + message);
            String s = stride;
            String p = padding;
            String rounding = null;
            if (m.group("same") != null) {
                p = "Padding.SAME";
            } else if (m.group("rounding") != null) {
                rounding = "Rounding." + m.group("rounding").toUpperCase(java.util.Locale.ROOT);
            } else if (m.group("attr").equalsIgnoreCase("padding")) {
                p = m.group("value");
            } else {
                s = m.group("value");
            }
            long out = Long.parseLong(m.group("out"));
            Compilation fixed = compile(fixedLayer(height, width, kind, values, s, p, rounding));
            assertThat(fixed).succeeded();
            List<Long> shape = report(fixed, "test.Foo").layer("l").out();
            if (dims.contains("height")) {
                assertEquals(out, shape.get(1), () -> "height after \"" + fix + "\" (" + message + ")");
            }
            if (dims.contains("width")) {
                assertEquals(out, shape.get(2), () -> "width after \"" + fix + "\" (" + message + ")");
            }
            applied++;
        }
        assertTrue(applied >= 2, message);
    }

    private static JavaFileObject fixedLayer(int height, int width, String kind, String values, String stride, String padding,
            String rounding) {
        String attrs = values + (stride == null ? "" : ", stride = " + stride) + (padding == null ? "" : ", padding = " + padding)
                + (rounding == null ? "" : ", rounding = " + rounding);
        return network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = " + height + ", width = " + width + ")",
                "abstract class Foo {",
                "    @" + kind + "(" + attrs + ") Layer l;",
                "}");
    }

    @Test
    void roundingFloorOnTheLayerCompilesToTwo() {
        Compilation c = compile(sevenBySevenStrideThree(", rounding = Rounding.FLOOR"));
        assertThat(c).succeededWithoutWarnings();
        assertEquals(List.of(2L, 2L, 2L), report(c, "test.Foo").layer("c1").out());
    }

    @Test
    void roundingCeilOnTheLayerCompilesToThree() {
        Compilation c = compile(sevenBySevenStrideThree(", rounding = Rounding.CEIL"));
        assertThat(c).succeededWithoutWarnings();
        assertEquals(List.of(2L, 3L, 3L), report(c, "test.Foo").layer("c1").out());
    }

    @Test
    void samePaddingCompilesToThree() {
        Compilation c = compile(sevenBySevenStrideThree(", padding = Padding.SAME"));
        assertThat(c).succeededWithoutWarnings();
        NetworkReport r = report(c, "test.Foo");
        assertEquals(List.of(2L, 3L, 3L), r.layer("c1").out());
        assertEquals(List.of(2L, 3L, 3L), r.output());
    }

    @Test
    void networkRoundingAppliesToLayersThatInheritAndALayerCanOverrideIt() {
        JavaFileObject floor = network(
                "@Network(maxBatch = 1, rounding = Rounding.FLOOR)",
                "@Input(channels = 1, height = 7, width = 7)",
                "abstract class Foo {",
                "    @Conv(filters = 2, kernel = 3, stride = 3) Layer c1;",
                "}");
        Compilation ok = compile(floor);
        assertThat(ok).succeededWithoutWarnings();
        assertEquals(List.of(2L, 2L, 2L), report(ok, "test.Foo").output());
        assertEquals("FLOOR", report(ok, "test.Foo").rounding());

        JavaFileObject strictLayer = network(
                "@Network(maxBatch = 1, rounding = Rounding.FLOOR)",
                "@Input(channels = 1, height = 7, width = 7)",
                "abstract class Foo {",
                "    @Conv(filters = 2, kernel = 3, stride = 3,",
                "          rounding = Rounding.STRICT) Layer c1;",
                "}");
        Compilation c = compile(strictLayer);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/fractional-output] Conv \"c1\": output height and width "
                + "(7 - 3 + 2*0)/3 + 1 = 2.33").inFile(strictLayer).onLineContaining("stride = 3");
    }

    @Test
    void ceilPoolingDropsAWindowThatWouldStartInThePadding() {
        // p1, PyTorch MaxPool2d(2, padding=1, ceil_mode=True) on 5: ceil((5+2-2)/2)+1 = 4, but the 4th window would start
        // at 6 >= 5 + 1, entirely in the right padding: dropped, 3. p2 on 3: ceil((3-2)/2)+1 = 2 (FLOOR would give 1).
        JavaFileObject src = network(
                "@Network(maxBatch = 1, rounding = Rounding.CEIL)",
                "@Input(channels = 1, height = 5, width = 5)",
                "abstract class Foo {",
                "    @MaxPool(window = 2, padding = 1) Layer p1;",
                "    @MaxPool(window = 2) Layer p2;",
                "}");
        Compilation c = compile(src);
        assertThat(c).succeededWithoutWarnings();
        NetworkReport r = report(c, "test.Foo");
        assertEquals(List.of(1L, 3L, 3L), r.layer("p1").out());
        assertEquals(List.of(1L, 2L, 2L), r.layer("p2").out());
    }

    @Test
    void kernelTooLarge() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 7, width = 7)",
                "abstract class Foo {",
                "    @Conv(filters = 2, activation = Activation.RELU,",
                "          kernel = 9) Layer c1;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/kernel-too-large] Conv \"c1\": the kernel height and width 9 is larger "
                        + "than the padded input height and width 7 + 2*0 = 7, so the output height and width would be "
                        + "(7 - 9 + 2*0)/1 + 1 = -1.00 (less than 1). Input path: input [1,7,7]. Use a smaller kernel, more "
                        + "padding, or less downsampling before this layer.")
                .inFile(src).onLineContaining("kernel = 9");
    }

    @Test
    void kernelTooLargeAfterDownsamplingQuotesTheDilationAndThePath() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 16, width = 6)",
                "abstract class Foo {",
                "    @Conv(filters = 2, kernel = 3, padding = 1, activation = Activation.RELU) Layer c1;",
                "    @MaxPool(window = 2) Layer p1;",
                "    @Conv(filters = 2, activation = Activation.RELU, dilation = 2,",
                "          kernel = {3, 5}) Layer c2;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/kernel-too-large] Conv \"c2\": the kernel width 9 (dilated: 2*(5-1)+1) is "
                        + "larger than the padded input width 3 + 2*0 = 3, so the output width would be (3 - 9 + 2*0)/1 + 1 = "
                        + "-5.00 (less than 1). Input path: input [1,16,6] -> c1 [2,16,6] -> p1 [2,8,3].")
                .inFile(src).onLineContaining("kernel = {3, 5}");
    }

    @Test
    void needsSpatialInputAfterADenseLayer() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Dense(units = 10, activation = Activation.RELU) Layer fc;",
                "    @Conv(filters = 2, kernel = 1) Layer c2;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/needs-spatial-input] Conv \"c2\" needs a spatial [channels,height,width] "
                        + "input, but \"fc\" produces the flat shape [10]. Input path: input [1,8,8] -> fc [10]. Move this layer "
                        + "before the first flatten or dense layer.")
                .inFile(src).onLineContaining("@Conv(filters = 2, kernel = 1)");
    }

    @Test
    void needsSpatialInputAfterFlatten() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Flatten Layer f;",
                "    @GlobalAvgPool Layer g;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/needs-spatial-input] GlobalAvgPool \"g\" needs a spatial "
                        + "[channels,height,width] input, but \"f\" produces the flat shape [64]. Input path: input [1,8,8] -> "
                        + "f [64].")
                .inFile(src).onLineContaining("@GlobalAvgPool");
    }

    /** A dense layer only: weights 10 x 1,024 + 10 biases, twice (gradients); 10 outputs per image, twice. */
    private static JavaFileObject denseNetworkOfMaxBatch100() {
        return network(
                "@Network(",
                "    maxBatch = 100)",
                "@Input(channels = 1, height = 32, width = 32)",
                "abstract class Foo {",
                "    @Dense(units = 10) Layer fc;",
                "}");
    }

    @Test
    void engineTooLargeGivesTheBreakdownAndTheBatchThatFits() {
        // weights: 2 * (10,240 + 10) floats = 82,000 bytes (80.1 KiB); activations: 2 * 100 * 10 floats = 8,000 bytes
        // (7.8 KiB); total 90,000 bytes (87.9 KiB). Limit 85 KiB = 87,040 bytes: (87,040 - 82,000) / 80 = 63 images fit.
        JavaFileObject src = denseNetworkOfMaxBatch100();
        Compilation c = compileWith(List.of("-Astrider.maxEngineMemory=85k"), src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/engine-too-large] Network Foo's engine would allocate 87.9 KiB at "
                        + "maxBatch = 100 (weights and their gradients 80.1 KiB, activations and their gradients 7.8 KiB, "
                        + "backward state and scratch 0 B), more than the limit of 85.0 KiB set by -Astrider.maxEngineMemory. "
                        + "maxBatch = 63 fits; or raise the limit.")
                .inFile(src).onLineContaining("maxBatch = 100)");
        assertThat(compileWith(List.of("-Astrider.maxEngineMemory=90000"), src)).succeededWithoutWarnings();
    }

    @Test
    void engineTooLargeEvenForOneImage() {
        Compilation c = compileWith(List.of("-Astrider.maxEngineMemory=64k"), denseNetworkOfMaxBatch100());
        assertThat(c).hadErrorContaining("more than the limit of 64.0 KiB set by -Astrider.maxEngineMemory. Even one "
                + "image does not fit (the weights alone take 80.1 KiB): raise the limit or shrink the network.");
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"lots", "0", "-5m", "999999999999g", "4 g", "g"})
    void aMemoryLimitThatIsNotASize(String value) {
        Compilation c = compileWith(List.of("-Astrider.maxEngineMemory=" + value), denseNetworkOfMaxBatch100());
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("[strider] -Astrider.maxEngineMemory=" + value + " is not a size: give bytes, or a "
                + "number with k, m or g (e.g. 4g)");
    }

    @Test
    void sizeOverflowOfOneInputImage() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1024, height = 1024, width = 4096)",
                "abstract class Foo {",
                "    @ReLU Layer r;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/size-overflow] @Input: one image is 4,294,967,296 values, more "
                        + "than a Java array can hold (2^31 - 1 = 2,147,483,647). Reduce the input size, the channels or maxBatch.")
                .inFile(src).onLineContaining("@Input(");
    }

    @Test
    void sizeOverflowAtMaxBatch() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1024)",
                "@Input(channels = 4, height = 1024, width = 1024)",
                "abstract class Foo {",
                "    @ReLU Layer r;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/size-overflow] @Input: maxBatch = 1024 images of 4,194,304 values are "
                        + "4,294,967,296 values, more than a Java array can hold")
                .inFile(src).onLineContaining("@Input(");
    }

    @Test
    void sizeOverflowOfALayerOutput() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 1024, width = 1024)",
                "abstract class Foo {",
                "    @Conv(filters = 4096, kernel = 1, activation = Activation.RELU)",
                "    Layer c1;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/size-overflow] Conv \"c1\" output [4096,1024,1024]: one image is "
                        + "4,294,967,296 values, more than a Java array can hold (2^31 - 1 = 2,147,483,647).")
                .inFile(src).onLineContaining("@Conv(filters = 4096");
    }

    @Test
    void sizeOverflowOfALayersParameters() {
        // 2048*2048 inputs * 2^20 units = 2^42 weights (+ 2^20 biases)
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 2048, width = 2048)",
                "abstract class Foo {",
                "    @Dense(units = 1048576)",
                "    Layer fc;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/size-overflow] Dense \"fc\": its weights are 4,398,047,559,680 values, more "
                        + "than a Java array can hold (2^31 - 1 = 2,147,483,647). Use fewer units or filters, or downsample before this layer.")
                .inFile(src).onLineContaining("@Dense(units = 1048576)");
    }

    @Test
    void sizeOverflowOfAConvolutionsIm2colScratch() {
        // input [256,1024,1024] and output [1,1024,1024] fit an array; the patches of one image, 256 * 3*3 *
        // 1024*1024 = 2,415,919,104 values, do not (as an int they were -1,879,048,192: a negative array size)
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 256, height = 1024, width = 1024)",
                "abstract class Foo {",
                "    @Conv(filters = 1, kernel = 3, padding = 1, activation = Activation.RELU)",
                "    Layer c1;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        String expected = "[strider/size-overflow] Conv \"c1\": its im2col scratch c1Col (the patches of one image: 256 "
                + "input channels * 3x3 kernel taps * 1024x1024 output positions) is 2,415,919,104 values, more than a Java "
                + "array can hold (2^31 - 1 = 2,147,483,647). Use fewer input channels per group, a smaller kernel, a "
                + "larger stride or a smaller input.";
        assertThat(c).hadErrorContaining(expected).inFile(src).onLineContaining("@Conv(filters = 1, kernel = 3");
        assertEquals(expected, single(c, Diagnostic.Kind.ERROR, "[strider/size-overflow]"));
    }

    @Test
    void anInferenceOnlyConvolutionNeedsOnlyItsPaddedInput() {
        // the network above, inference-only: no im2col scratch (no backward pass), only the padded input, 256 x 1026 x
        // 1026 = 269,485,056 values, which fits
        JavaFileObject src = network(
                "@Network(maxBatch = 1, inferenceOnly = true)",
                "@Input(channels = 256, height = 1024, width = 1024)",
                "abstract class Foo {",
                "    @Conv(filters = 1, kernel = 3, padding = 1, activation = Activation.RELU)",
                "    Layer c1;",
                "}");
        Compilation c = compileWith(List.of("-Astrider.maxEngineMemory=64g"), src);
        assertThat(c).succeeded();
    }

    @Test
    void sizeOverflowOfAnInferenceOnlyConvolutionsPaddedInput() {
        // the input, 2,047 x 1024 x 1024 = 2,146,435,072 values, fits; padded by one on each side it is 2,047 x 1026 x
        // 1026 = 2,154,827,772
        JavaFileObject src = network(
                "@Network(maxBatch = 1, inferenceOnly = true)",
                "@Input(channels = 2047, height = 1024, width = 1024)",
                "abstract class Foo {",
                "    @Conv(filters = 1, kernel = 3, padding = 1, activation = Activation.RELU)",
                "    Layer c1;",
                "}");
        Compilation c = compileWith(List.of("-Astrider.maxEngineMemory=64g"), src);
        assertThat(c).failed();
        String expected = "[strider/size-overflow] Conv \"c1\": its padded input c1Source (one image's 2047 input channels zero-padded "
                + "to 1026x1026) is 2,154,827,772 values, more than a Java array can hold (2^31 - 1 = 2,147,483,647). Use fewer "
                + "input channels per group or a smaller input.";
        assertThat(c).hadErrorContaining(expected).inFile(src).onLineContaining("@Conv(filters = 1, kernel = 3");
        assertEquals(expected, single(c, Diagnostic.Kind.ERROR, "[strider/size-overflow]"));
    }

    @Test
    void sizeOverflowOfAnIm2colScratchWhateverTheMemoryLimit() {
        // 512 * 3*3 * 1024*1024 = 4,831,838,208 = 2^32 + 536,870,912 patch values: as an int a plausible length, so
        // the engine's memory passed a raised limit and the scratch was far too short
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 512, height = 1024, width = 1024)",
                "abstract class Foo {",
                "    @Conv(filters = 1, kernel = 3, padding = 1, activation = Activation.RELU)",
                "    Layer c1;",
                "}");
        Compilation c = compileWith(List.of("-Astrider.maxEngineMemory=64g"), src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/size-overflow] Conv \"c1\": its im2col scratch c1Col (the patches of one "
                        + "image: 512 input channels * 3x3 kernel taps * 1024x1024 output positions) is 4,831,838,208 values, "
                        + "more than a Java array can hold (2^31 - 1 = 2,147,483,647). Use fewer input channels per group, a "
                        + "smaller kernel, a larger stride or a smaller input.")
                .inFile(src).onLineContaining("@Conv(filters = 1, kernel = 3");
    }

    @Test
    void softmaxNotLastAsFusedActivationAndAsLayer() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Dense(units = 8,",
                "           activation = Activation.SOFTMAX) Layer fc1;",
                "    @Softmax Layer sm;",
                "    @Dense(units = 2) Layer fc2;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(2);
        assertThat(c).hadErrorContaining("[strider/softmax-not-last] Dense \"fc1\" is layer 1 of 3, but with loss = "
                        + "SOFTMAX_CROSS_ENTROPY the softmax is fused into the loss and may only be the last layer. Remove it, "
                        + "or train with loss = MEAN_SQUARED_ERROR.")
                .inFile(src).onLineContaining("activation = Activation.SOFTMAX");
        assertThat(c).hadErrorContaining("[strider/softmax-not-last] Softmax \"sm\" is layer 2 of 3")
                .inFile(src).onLineContaining("@Softmax Layer sm;");
    }

    @Test
    void softmaxIsAllowedLastOrWithMeanSquaredError() {
        JavaFileObject last = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Dense(units = 8, activation = Activation.RELU) Layer fc1;",
                "    @Dense(units = 2, activation = Activation.SOFTMAX) Layer fc2;",
                "}");
        assertThat(compile(last)).succeededWithoutWarnings();
        JavaFileObject mse = network(
                "@Network(maxBatch = 1, loss = Loss.MEAN_SQUARED_ERROR)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Dense(units = 8, activation = Activation.SOFTMAX) Layer fc1;",
                "    @Softmax Layer sm;",
                "    @Dense(units = 2) Layer fc2;",
                "}");
        assertThat(compile(mse)).succeededWithoutWarnings();
    }

    @Test
    void expectParamsMismatch() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1,",
                "         expectParams = 761)",
                "@Input(channels = 3, height = 32, width = 32)",
                "abstract class Foo {",
                "    @Conv(filters = 10, kernel = 5, padding = 2) Layer conv;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/expect-params] Network Foo has 760 trainable parameters, but "
                        + "expectParams = 761 (1 fewer than expected). Per layer: conv 760.")
                .inFile(src).onLineContaining("expectParams = 761");
    }

    @Test
    void expectParamsMismatchListsEveryLayerWithParameters() {
        JavaFileObject src = network(
                "@Network(maxBatch = 64,",
                "         expectParams = 61_000)",
                "@Input(channels = 1, height = 28, width = 28)",
                "abstract class Foo {",
                "    @Conv(filters = 6, kernel = 5, padding = 2, activation = Activation.RELU) Layer c1;",
                "    @MaxPool(window = 2) Layer s2;",
                "    @Conv(filters = 16, kernel = 5, activation = Activation.RELU) Layer c3;",
                "    @MaxPool(window = 2) Layer s4;",
                "    @Dense(units = 120, activation = Activation.RELU) Layer f5;",
                "    @Dense(units = 84, activation = Activation.RELU) Layer f6;",
                "    @Dense(units = 10) Layer output;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/expect-params] Network Foo has 61,706 trainable parameters, but "
                        + "expectParams = 61,000 (706 more than expected). Per layer: c1 156, c3 2,416, f5 48,120, f6 10,164, output 850.")
                .inFile(src).onLineContaining("expectParams = 61_000");
    }

    @Test
    void oneInvalidNetworkDoesNotStopAnotherInTheSameCompilation() {
        JavaFileObject bad = Compilers.source("test.Bad",
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 7, width = 7)",
                "abstract class Bad {",
                "    @Conv(filters = 2, kernel = 3,",
                "          stride = 3) Layer c1;",
                "}");
        JavaFileObject good = Compilers.source("test.Good",
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 7, width = 7)",
                "abstract class Good {",
                "    @Conv(filters = 2, kernel = 3, stride = 2) Layer c1;",
                "}");
        // A failed compilation hides its generated files; the timing note says what the processor generated.
        Compilation c = Compilers.compileWith(List.of("-Astrider.timing=true"), bad, good);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/fractional-output] Conv \"c1\"").inFile(bad).onLineContaining("stride = 3");
        assertThat(c).hadNoteContaining("Strider checked and generated test.Good (1 layer): checked in ").inFile(good).onLineContaining("abstract class Good");
        assertTrue(Compilers.messages(c, Diagnostic.Kind.NOTE, "generated Bad").isEmpty(), "nothing is generated for an invalid network");
    }

    @Test
    void orphanInputOnAClassWithoutNetwork() {
        JavaFileObject src = network(
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/orphan-input] Foo is annotated @Input but not @Network, so the input shape "
                        + "belongs to no network. Add @Network(maxBatch = ...) to the class, or remove @Input.")
                .inFile(src).onLineContaining("@Input(channels = 1");
    }

    @Test
    void nameClashWithAUserClassIsAUserError() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Dense(units = 3) Layer fc;",
                "}",
                "class FooSpec {}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("[strider/name-clash] Network Foo generates test.FooSpec, but that name is already taken")
                .inFile(src).onLineContaining("abstract class Foo {");
    }

    @Test
    void layerNamesWhoseGeneratedMembersCollideAreANameClash() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Dense(units = 3, activation = Activation.RELU) Layer d;",
                "    @Dense(units = 2) Layer dWeight;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/name-clash] Network Foo generates FooEngine.dWeightGrad, but that name is already "
                        + "taken (two layers' generated members would both be called dWeightGrad: rename one of the layers).")
                .inFile(src).onLineContaining("abstract class Foo {");
    }

    @Test
    void localNetworkIsReportedNotIgnored() {
        JavaFileObject src = network(
                "class Foo {",
                "    void m() {",
                "        @Network(maxBatch = 1)",
                "        @Input(channels = 1, height = 4, width = 4)",
                "        abstract class Local {",
                "            @Dense(units = 0) Layer fc;",
                "        }",
                "    }",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/local-network] Network Local is declared inside a method, an initializer, "
                        + "a lambda or an anonymous class, where annotation processors cannot see it, so it would be neither checked nor generated. Declare it as a top-level or member class.")
                .inFile(src).onLineContaining("@Network(maxBatch = 1)");
    }

    static Stream<Arguments> localPlaces() {
        return Stream.of(
                Arguments.of("static initializer", "    static {", "    }"),
                Arguments.of("instance initializer", "    {", "    }"),
                Arguments.of("lambda", "    Runnable r = () -> {", "    };"),
                Arguments.of("anonymous class", "    Object o = new Object() {", "    };"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("localPlaces")
    void localNetworksOutsideMethodsAreReportedToo(String place, String open, String close) {
        // next to a visible network, so that StriderProcessor (which claims the DSL's annotations) runs first
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Dense(units = 3) Layer fc;",
                open,
                "        @Network(maxBatch = 1)",
                "        @Input(channels = 1, height = 4, width = 4)",
                "        abstract class Local {",
                "            @Dense(units = 0) Layer fc;",
                "        }",
                close,
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/local-network] Network Local is declared inside a method, an initializer, "
                        + "a lambda or an anonymous class")
                .inFile(src).onLineContaining("        @Network(maxBatch = 1)");
    }

    @Test
    void anInvalidPoolWindowIsOneErrorNotAlsoAPaddingError() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @MaxPool(window = 0,",
                "             padding = 1) Layer p;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/invalid-value] MaxPool \"p\": window must be").inFile(src).onLineContaining("window = 0");
    }

    @Test
    void anInvalidBatchOrNetworkRoundingIsOneErrorNotAlsoShapeErrors() {
        JavaFileObject batch = network(
                "@Network(maxBatch = Integer.MAX_VALUE)",
                "@Input(channels = 1, height = 2, width = 2)",
                "abstract class Foo {",
                "    @ReLU Layer r;",
                "}");
        Compilation c = compile(batch);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/invalid-value] @Network: maxBatch must be between 1 and");
        JavaFileObject rounding = network(
                "@Network(maxBatch = 1, rounding = Rounding.INHERIT)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @MaxPool(window = 3) Layer p;",
                "}");
        c = compile(rounding);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/invalid-value] @Network: rounding = INHERIT means");
    }

    // ------------------------------------------------------------------------------------------------ warnings

    @Test
    void largePoolWindow() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 16, width = 16)",
                "abstract class Foo {",
                "    @MaxPool(",
                "          window = 4) Layer p1;",
                "}");
        Compilation c = compile(src);
        assertThat(c).succeeded();
        assertThat(c).hadWarningCount(1);
        assertThat(c).hadWarningContaining("[strider/large-pool-window] MaxPool \"p1\": a 4x4 window larger than 3 discards "
                        + "most of its input (windows of 2 or 3 with stride 2 are usual). Suppress with "
                        + "@SuppressWarnings(\"strider:large-pool-window\").")
                .inFile(src).onLineContaining("window = 4");
        assertEquals(List.of(1L, 4L, 4L), report(c, "test.Foo").output()); // a warning does not stop generation
    }

    @Test
    void strideOverWindow() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @AvgPool(window = 1,",
                "          stride = 3) Layer p;",
                "}");
        Compilation c = compile(src);
        assertThat(c).succeeded();
        assertThat(c).hadWarningCount(1);
        assertThat(c).hadWarningContaining("[strider/stride-over-window] AvgPool \"p\": stride 3 is larger than the ")
                .inFile(src).onLineContaining("stride = 3");
        assertThat(c).hadWarningContaining("window 1, so 2 of every 3 input rows and columns are never seen. Use stride <= window, or "
                        + "suppress with @SuppressWarnings(\"strider:stride-over-window\").")
                .inFile(src).onLineContaining("stride = 3");
        assertEquals(List.of(1L, 2L, 2L), report(c, "test.Foo").output());
    }

    @Test
    void strideOverWindowInTheWidthNamesColumns() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 12, width = 15)",
                "abstract class Foo {",
                "    @MaxPool(window = {2, 3},",
                "          stride = {2, 6}) Layer p;",
                "}");
        Compilation c = compile(src);
        assertThat(c).succeeded();
        assertThat(c).hadWarningCount(1);
        assertThat(c).hadWarningContaining("[strider/stride-over-window] MaxPool \"p\": stride 6 is larger than the ")
                .inFile(src).onLineContaining("stride = {2, 6}");
        assertThat(c).hadWarningContaining("so 3 of every 6 input columns are never seen.");
        assertEquals(List.of(1L, 6L, 3L), report(c, "test.Foo").output());
    }

    @Test
    void noNonlinearityBetweenTwoConvolutions() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = 1) Layer c1;",
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU)",
                "    Layer c2;",
                "}");
        Compilation c = compile(src);
        assertThat(c).succeeded();
        assertThat(c).hadWarningCount(1);
        assertThat(c).hadWarningContaining("[strider/no-nonlinearity] Conv \"c2\" follows Conv \"c1\" with no nonlinearity in "
                        + "between, and two linear layers compose to a single linear layer. Add an activation (e.g. activation "
                        + "= RELU on \"c1\"), or suppress with @SuppressWarnings(\"strider:no-nonlinearity\").")
                .inFile(src).onLineContaining("activation = Activation.RELU)");
    }

    @Test
    void noNonlinearityLooksThroughAffineLayersButNotThroughActivationsOrMaxPooling() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = 1) Layer c1;",
                "    @BatchNorm Layer bn;",
                "    @AvgPool(window = 2) Layer avg;",
                "    @Dropout(rate = 0.1) Layer drop;",
                "    @Dense(units = 8) Layer fc1;",           // warns: c1 -> bn -> avg -> drop are all affine
                "    @LeakyReLU Layer act;",
                "    @Dense(units = 4) Layer fc2;",           // fine: a leaky ReLU in between
                "}");
        Compilation c = compile(src);
        assertThat(c).succeeded();
        assertThat(c).hadWarningCount(1);
        assertThat(c).hadWarningContaining("[strider/no-nonlinearity] Dense \"fc1\" follows Conv \"c1\"")
                .inFile(src).onLineContaining("@Dense(units = 8)");
        JavaFileObject pooled = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = 1) Layer c1;",
                "    @MaxPool(window = 2) Layer p;",
                "    @Dense(units = 8) Layer fc1;",
                "}");
        assertThat(compile(pooled)).succeededWithoutWarnings();
    }

    /** A network with each of the three warnings once; {@code fieldSuppressions} go on the three fields, in order. */
    private static JavaFileObject threeWarnings(String classSuppression, String... fieldSuppressions) {
        return network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 16, width = 16)",
                classSuppression,
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = 1) Layer c1;",
                "    " + fieldSuppressions[0],
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU) Layer c2;",
                "    " + fieldSuppressions[1],
                "    @MaxPool(window = 4) Layer p1;",
                "    " + fieldSuppressions[2],
                "    @AvgPool(window = 1, stride = 3) Layer p2;",
                "    @Dense(units = 10) Layer fc;",
                "}");
    }

    @Test
    void unsuppressedTheThreeWarningsAreReported() {
        Compilation c = compile(threeWarnings("", "", "", ""));
        assertThat(c).succeeded();
        assertThat(c).hadWarningCount(3);
        single(c, Diagnostic.Kind.WARNING, "[strider/no-nonlinearity]");
        single(c, Diagnostic.Kind.WARNING, "[strider/large-pool-window]");
        single(c, Diagnostic.Kind.WARNING, "[strider/stride-over-window]");
    }

    @Test
    void warningsAreSuppressibleOnTheField() {
        Compilation c = compile(threeWarnings("",
                "@SuppressWarnings(\"strider:no-nonlinearity\")",
                "@SuppressWarnings(\"strider:large-pool-window\")",
                "@SuppressWarnings({\"unused\", \"strider:stride-over-window\"})"));
        assertThat(c).succeededWithoutWarnings();
    }

    @Test
    void warningsAreSuppressibleOnTheClass() {
        Compilation c = compile(threeWarnings(
                "@SuppressWarnings({\"strider:no-nonlinearity\", \"strider:large-pool-window\", \"strider:stride-over-window\"})",
                "", "", ""));
        assertThat(c).succeededWithoutWarnings();
    }

    @Test
    void plainStriderSuppressesEveryWarning() {
        assertThat(compile(threeWarnings("@SuppressWarnings(\"strider\")", "", "", ""))).succeededWithoutWarnings();
    }

    @Test
    void suppressingOneIdLeavesTheOthers() {
        JavaFileObject src = threeWarnings("", "",
                "@SuppressWarnings(\"strider:stride-over-window\")", // the wrong id for p1's warning
                "@SuppressWarnings(\"strider:large-pool-window\")"); // the wrong id for p2's warning
        Compilation c = compile(src);
        assertThat(c).succeeded();
        assertThat(c).hadWarningCount(3);
        assertThat(c).hadWarningContaining("[strider/large-pool-window] MaxPool \"p1\"")
                .inFile(src).onLineContaining("@MaxPool(window = 4)");
        assertThat(c).hadWarningContaining("[strider/stride-over-window] AvgPool \"p2\"")
                .inFile(src).onLineContaining("@AvgPool(window = 1, stride = 3)");
    }

    @Test
    void suppressionDoesNotApplyToErrors() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 7, width = 7)",
                "@SuppressWarnings(\"strider\")",
                "abstract class Foo {",
                "    @SuppressWarnings(\"strider:fractional-output\")",
                "    @Conv(filters = 2, kernel = 3,",
                "          stride = 3) Layer c1;",
                "}");
        Compilation c = compile(src);
        assertThat(c).failed();
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/fractional-output]").inFile(src).onLineContaining("stride = 3");
    }
}
