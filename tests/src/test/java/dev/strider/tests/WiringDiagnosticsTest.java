package dev.strider.tests;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.strider.tests.Compilers.compile;
import static dev.strider.tests.Compilers.network;
import static dev.strider.tests.Compilers.source;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The wiring rules of {@code @From}, {@code @Add} and {@code @Concat}, each error on the annotation value at fault:
 * inputs that do not exist or come later (so a network can have no cycle), the number of inputs a layer takes,
 * merged shapes that disagree (with each branch's path), and outputs nobody takes; and of blocks: uses with wrong
 * arguments, bindings that name nothing, and errors inside a block used in several places, which name the use.
 */
class WiringDiagnosticsTest {
    private static final String EARLIER = "A layer may take \"input\" or an earlier layer (so a network has no cycles)";

    @Test
    void anInputNoLayerHasIsReportedWithTheEarlierLayers() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU) Layer c1;",
                "    @Conv(filters = 4, kernel = 3, padding = 1) Layer c2;",
                "    @Add(activation = Activation.RELU)",
                "    @From({\"c2\", \"c9\"}) Layer sum;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/unknown-input] Add \"sum\" takes input \"c9\" (@From), but no layer has that name. "
                + EARLIER + "; earlier layers: c1, c2.").inFile(src).onLineContaining("@From({\"c2\", \"c9\"})");
    }

    @Test
    void aLaterLayerOrTheLayerItselfCannotBeAnInputSoThereAreNoCycles() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU)",
                "    @From(\"c2\") Layer c1;",
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU) Layer c2;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/unknown-input] Conv \"c1\" takes input \"c2\" (@From), but \"c2\" is declared "
                + "after it. " + EARLIER + "; earlier layers: none.").inFile(src).onLineContaining("@From(\"c2\")");

        JavaFileObject self = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU) Layer c1;",
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU)",
                "    @From(\"c2\") Layer c2;",
                "}");
        Compilation s = compile(self);
        assertThat(s).hadErrorCount(1);
        assertThat(s).hadErrorContaining("[strider/unknown-input] Conv \"c2\" takes input \"c2\" (@From), but that is the layer "
                + "itself. " + EARLIER + "; earlier layers: c1.").inFile(self).onLineContaining("@From(\"c2\")");
    }

    @Test
    void aMergeNeedsTwoInputsAndAnyOtherLayerOne() {
        JavaFileObject one = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU) Layer c1;",
                "    @Add @From(\"c1\") Layer sum;",
                "}");
        Compilation c = compile(one);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/input-count] Add \"sum\" merges two or more inputs, but @From names only c1. "
                + "Name the layers to merge with @From({\"a\", \"b\"}).").inFile(one).onLineContaining("@From(\"c1\")");

        JavaFileObject none = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU) Layer c1;",
                "    @Concat Layer joined;",
                "}");
        Compilation n = compile(none);
        assertThat(n).hadErrorCount(1);
        assertThat(n).hadErrorContaining("[strider/input-count] Concat \"joined\" merges two or more inputs, but it has no @From. "
                + "Name the layers to merge with @From({\"a\", \"b\"}).").inFile(none).onLineContaining("@Concat Layer joined");

        JavaFileObject two = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU) Layer a;",
                "    @Conv(filters = 4, kernel = 1, activation = Activation.RELU) @From(\"input\") Layer b;",
                "    @Conv(filters = 2, kernel = 1) @From({\"a\", \"b\"}) Layer c;",
                "}");
        Compilation t = compile(two);
        assertThat(t).hadErrorCount(1);
        assertThat(t).hadErrorContaining("[strider/input-count] Conv \"c\" takes one input, but @From names 2: a, b. Merge them first "
                + "with an @Add or @Concat layer, and take that.").inFile(two).onLineContaining("@From({\"a\", \"b\"})");
    }

    @Test
    void addedShapesMustAgreeAndTheMessageGivesEachBranchsPath() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU) Layer c1;",
                "    @MaxPool(window = 2) Layer p;",
                "    @Add",
                "    @From({\"c1\", \"p\"}) Layer sum;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/merge-shapes] Add \"sum\" adds its inputs value by value, so they must have one "
                + "shape, but \"c1\" gives [4,8,8] (path: input [1,8,8] -> c1 [4,8,8]) while \"p\" gives [4,4,4] (path: input [1,8,8] "
                + "-> c1 [4,8,8] -> p [4,4,4]). Make the branches end in the same shape (a 1x1 convolution with the right filters and "
                + "stride on the shortcut, as ResNet does).").inFile(src).onLineContaining("@From({\"c1\", \"p\"})");
    }

    @Test
    void concatenatedMapsMustAgreeOnHeightAndWidth() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU) Layer c1;",
                "    @Conv(filters = 2, kernel = 3, activation = Activation.RELU) @From(\"input\") Layer c2;",
                "    @Concat @From({\"c1\", \"c2\"}) Layer joined;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/merge-shapes] Concat \"joined\" joins its inputs' channels, so they must all be "
                + "spatial with one height and width (or all flat), but \"c1\" gives [4,8,8] (path: input [1,8,8] -> c1 [4,8,8]) while "
                + "\"c2\" gives [2,6,6] (path: input [1,8,8] -> c2 [2,6,6]). Pool or pad the branches to the same height and width.")
                .inFile(src).onLineContaining("@From({\"c1\", \"c2\"})");
    }

    @Test
    void anOutputNoLayerTakesIsAWarning() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU) Layer c1;",
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU) Layer dead;",
                "    @Dense(units = 3) @From(\"c1\") Layer fc;",
                "}");
        Compilation c = compile(src);
        assertThat(c).succeeded();
        assertThat(c).hadWarningCount(1);
        assertThat(c).hadWarningContaining("[strider/unused-output] Conv \"dead\"'s output is taken by no layer, and only the last "
                + "layer's output is the network's, so it would be computed for nothing. Take it with @From in a later layer, remove "
                + "the layer, or suppress with @SuppressWarnings(\"strider:unused-output\").").inFile(src).onLineContaining("Layer dead");

        JavaFileObject suppressed = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU) Layer c1;",
                "    @SuppressWarnings(\"strider:unused-output\")",
                "    @Conv(filters = 4, kernel = 3, padding = 1, activation = Activation.RELU) Layer dead;",
                "    @Dense(units = 3) @From(\"c1\") Layer fc;",
                "}");
        Compilation s = compile(suppressed);
        assertThat(s).succeeded();
        assertThat(s).hadWarningCount(0);
    }

    @Test
    void aResidualBlockCompilesWithItsExactCounts() {
        JavaFileObject src = network(
                "@Network(maxBatch = 2, expectParams = 2_613)",
                "@Input(channels = 8, height = 6, width = 6)",
                "abstract class Foo {",
                "    @Conv(filters = 8, kernel = 3, padding = 1, bias = false, activation = Activation.RELU) Layer c1;   // 576",
                "    @Conv(filters = 8, kernel = 3, padding = 1, bias = false) Layer c2;                              // 576",
                "    @BatchNorm Layer bn;                                                                              // 16 (+16)",
                "    @Add(activation = Activation.RELU) @From({\"bn\", \"input\"}) Layer sum;",
                "    @Concat @From({\"sum\", \"c1\"}) Layer both;                                                     // [16,6,6]",
                "    @Conv(filters = 9, kernel = 3, stride = 3, activation = Activation.RELU) Layer c3;               // 1,305",
                "    @GlobalAvgPool Layer gap;",
                "    @Dense(units = 14) Layer fc;                                                                      // 126 + 14",
                "}");
        Compilation c = compile(src);
        assertThat(c).succeeded();
        assertThat(c).hadWarningCount(0);
    }

    /** A block of two convolutions, the first with a bound width and stride, and a residual sum. */
    private static JavaFileObject block(String bind) {
        return source("test.Pair",
                "@Block(params = {\"width\", \"stride\"})",
                "abstract class Pair {",
                "    @Conv(filters = 0, kernel = 3, padding = 1, activation = Activation.RELU) @Bind(" + bind + ") Layer a;",
                "    @Conv(filters = 0, kernel = 3, padding = 1) @Bind(\"filters=width\") Layer b;",
                "    @Add(activation = Activation.RELU) @From({\"b\", \"input\"}) Layer out;",
                "}");
    }

    @Test
    void blocksExpandWithTheirArgumentsAndNames() {
        JavaFileObject net = network(
                "@Network(maxBatch = 1, expectParams = 612)",
                "@Input(channels = 4, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Use(value = Pair.class, args = {@Arg(name = \"width\", value = 4), @Arg(name = \"stride\", value = 1)},",
                "         repeat = 2, index = 1) Layer stage;",
                "    @GlobalAvgPool Layer gap;",
                "    @Dense(units = 4) @From(\"gap\") Layer fc;",
                "}");
        Compilation c = compile(net, block("{\"filters=width\", \"stride=stride\"}"));
        assertThat(c).succeeded();
        assertThat(c).hadWarningCount(0);
        // 2 uses * 2 convolutions * (4*4*9 + 4) + (4*4 + 4): expectParams holds, and the layers have the use's names
        assertThat(c).generatedSourceFile("test.FooEngine").contentsAsUtf8String().contains("stage_1_a.weight");
        assertThat(c).generatedSourceFile("test.FooEngine").contentsAsUtf8String().contains("stage_2_b.weight");
    }

    @Test
    void anErrorInABlockUsedTwiceNamesTheUseAndTheBlocksLayer() {
        JavaFileObject net = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 4, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Use(value = Pair.class, args = {@Arg(name = \"width\", value = 4), @Arg(name = \"stride\", value = 1)}) Layer first;",
                "    @Use(value = Pair.class, args = {@Arg(name = \"width\", value = 4), @Arg(name = \"stride\", value = 2)}) Layer second;",
                "}");
        Compilation c = compile(net, block("{\"filters=width\", \"stride=stride\"}"));
        assertThat(c).hadErrorCount(2);
        // the second use's stride 2 does not tile 8 rows, and halves the map, so its sum cannot add [4,4,4] to its [4,8,8] input;
        // both errors are on the second use, and name the block's layer
        assertThat(c).hadErrorContaining("[strider/fractional-output] Conv \"second_a\" (a of block Pair used as second): output "
                + "height and width (8 - 3 + 2*1)/2 + 1 = 4.50 is not a whole number").inFile(net).onLineContaining("Layer second;");
        assertThat(c).hadErrorContaining("[strider/merge-shapes] Add \"second\" (out of block Pair used as second) adds its inputs "
                + "value by value, so they must have one shape, but \"second_b\" gives [4,4,4] (path: input [4,8,8] -> first_a [4,8,8] "
                + "-> first_b [4,8,8] -> first [4,8,8] -> second_a [4,4,4] -> second_b [4,4,4]) while \"first\" gives [4,8,8] (path: "
                + "input [4,8,8] -> first_a [4,8,8] -> first_b [4,8,8] -> first [4,8,8]).").inFile(net).onLineContaining("Layer second;");
    }

    @Test
    void aUseMustGiveEveryParameterAndOnlyThose() {
        JavaFileObject net = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 4, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Use(value = Pair.class, args = {@Arg(name = \"width\", value = 4), @Arg(name = \"depth\", value = 1)}) Layer first;",
                "}");
        Compilation c = compile(net, block("{\"filters=width\", \"stride=stride\"}"));
        assertThat(c).hadErrorCount(2);
        assertThat(c).hadErrorContaining("[strider/block-use] Use \"first\": @Arg(name = \"depth\") is no parameter of block Pair. "
                + "Its parameters: width, stride.").inFile(net).onLineContaining("Layer first;");
        assertThat(c).hadErrorContaining("[strider/block-use] Use \"first\": block Pair needs stride but the use does not give it. "
                + "Add @Arg(name = \"stride\", value = ...).").inFile(net).onLineContaining("Layer first;");

        JavaFileObject notABlock = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 4, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Use(String.class) Layer first;",
                "}");
        Compilation n = compile(notABlock);
        assertThat(n).hadErrorContaining("[strider/block-use] Use \"first\": java.lang.String is not annotated @Block. Annotate it "
                + "with @Block(params = {...}), or name a block class.").inFile(notABlock).onLineContaining("@Use(String.class)");
    }

    @Test
    void aBindingThatNamesNoAttributeIsReportedOnceOnTheBlockAndEveryOtherUseSaysItIsBroken() {
        JavaFileObject net = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 4, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Use(value = Pair.class, args = {@Arg(name = \"width\", value = 4), @Arg(name = \"stride\", value = 1)}) Layer first;",
                "    @Use(value = Pair.class, args = {@Arg(name = \"width\", value = 4), @Arg(name = \"stride\", value = 1)}) Layer second;",
                "}");
        JavaFileObject block = block("{\"filters=width\", \"strides=stride\"}");
        Compilation c = compile(net, block);
        assertThat(c).hadErrorCount(2);
        // once on the block, and the second use (whose expansion stopped there too) says it is broken as well
        assertThat(c).hadErrorContaining("[strider/block-use] Use \"second\": a block it uses has an error, reported on the block. "
                + "Fix the block.").inFile(net).onLineContaining("Layer second;");
        assertThat(c).hadErrorContaining("[strider/block-bind] @Bind on Pair.a: the layer has no attribute strides (it has activation, "
                + "bias, dilation, filters, groups, kernel, padding, rounding, slope, stride). Bind a number attribute of the layer to a "
                + "parameter the @Block declares, as \"attribute=param\".").inFile(block).onLineContaining("Layer a;");

        JavaFileObject product = block("{\"filters=width*two\", \"stride=stride\"}");
        Compilation p = compile(net, product);
        assertThat(p).hadErrorContaining("[strider/block-bind] @Bind on Pair.a: \"width*two\" is not a parameter of block Pair "
                + "(width, stride), an int, or a product of them such as width*4.").inFile(product).onLineContaining("Layer a;");
    }

    @Test
    void noLayerMayBeCalledInputTheNetworksInputsName() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 8, width = 8)",
                "abstract class Foo {",
                "    @Conv(filters = 2, kernel = 3, padding = 1, activation = Activation.RELU) Layer input;",
                "    @Conv(filters = 2, kernel = 1) Layer c2;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/invalid-value] Conv \"input\": the name \"input\" is the network's input "
                + "(@From(\"input\")), so no layer may have it; rename the field.").inFile(src).onLineContaining("Layer input;");
    }

    @Test
    void blockErrorsThatDependOnTheArgumentsAreReportedOnEveryUse() {
        JavaFileObject block = source("test.Sq",
                "@Block(params = \"width\")",
                "abstract class Sq {",
                "    @Conv(filters = 0, kernel = 1, activation = Activation.RELU) @Bind(\"filters=width*width\") Layer a;",
                "    @Conv(filters = 2, kernel = 1, activation = Activation.RELU) Layer b;",
                "}");
        JavaFileObject net = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 2, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Use(value = Sq.class, args = @Arg(name = \"width\", value = 2)) Layer first;",
                "    @Use(value = Sq.class, args = @Arg(name = \"width\", value = 50000)) Layer second;",
                "}");
        Compilation c = compile(net, block);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/block-use] Use \"second\": @Bind(\"filters=width*width\") gives width*width = "
                + "2,500,000,000 with this use's arguments, which is no int. Use smaller arguments.").inFile(net).onLineContaining("Layer second;");
    }

    @Test
    void aBlockLayerTakingANameTheBlockLacksIsReportedOnTheBlock() {
        JavaFileObject block = source("test.Bad",
                "@Block",
                "abstract class Bad {",
                "    @Conv(filters = 2, kernel = 1, activation = Activation.RELU) Layer a;",
                "    @Add @From({\"a\", \"nope\"}) Layer out;",
                "}");
        JavaFileObject net = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 2, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Use(Bad.class) Layer first;",
                "    @Use(Bad.class) Layer second;",
                "}");
        Compilation c = compile(net, block);
        assertThat(c).hadErrorContaining("[strider/block-use] Use \"first\": layer out of block Bad takes \"nope\" (@From), which "
                + "is no layer of the block and not \"input\". The block's layers: a, out.").inFile(block).onLineContaining("@From({\"a\", \"nope\"})");
        // the second use is broken too, and says so
        assertThat(c).hadErrorContaining("[strider/block-use] Use \"second\": a block it uses has an error, reported on the block. "
                + "Fix the block.").inFile(net).onLineContaining("Layer second;");
        assertThat(c).hadErrorCount(2);
    }

    @Test
    void aBlockEndingInARepeatedUseAndAUseWithALayerAnnotationAreErrors() {
        JavaFileObject inner = source("test.Inner",
                "@Block",
                "abstract class Inner {",
                "    @Conv(filters = 2, kernel = 1, activation = Activation.RELU) Layer a;",
                "}");
        JavaFileObject outer = source("test.Outer",
                "@Block",
                "abstract class Outer {",
                "    @Conv(filters = 2, kernel = 1, activation = Activation.RELU) Layer pre;",
                "    @Use(value = Inner.class, repeat = 2) Layer tail;",
                "}");
        JavaFileObject net = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 2, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Use(Outer.class) Layer stage;",
                "    @Use(Inner.class) @ReLU Layer both;",
                "}");
        Compilation c = compile(net, inner, outer);
        assertThat(c).hadErrorContaining("[strider/block-use] Use \"stage\": block Outer ends with a @Use with repeat or name (tail), "
                + "so the block's output would have no single name. Fix the block: end it with an @Identity layer, or declare its layers.")
                .inFile(net).onLineContaining("Layer stage;");
        assertThat(c).hadErrorContaining("[strider/multiple-layer-annotations] \"both\" has 2 layer annotations (@Use, @ReLU)")
                .inFile(net).onLineContaining("Layer both;");
    }
}
