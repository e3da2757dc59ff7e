package dev.strider.tests;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.strider.tests.Compilers.compile;
import static dev.strider.tests.Compilers.generatedSource;
import static dev.strider.tests.Compilers.jsonText;
import static dev.strider.tests.Compilers.network;
import static dev.strider.tests.Compilers.report;
import static dev.strider.tests.Compilers.single;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import dev.strider.runtime.report.NetworkReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;
import org.junit.jupiter.api.Test;

/** What the processor generates for a valid network: the {@code <Name>Spec} class and the JSON report. */
class GeneratedSpecTest {

    /** LeNet-5 on 28x28, as in the samples: 61,706 parameters and 416,520 MACs per image. */
    private static JavaFileObject lenet(String modifiers) {
        return network(
                "@Network(maxBatch = 64, expectParams = 61_706)",
                "@Input(channels = 1, height = 28, width = 28)",
                modifiers + "abstract class Foo {",
                "    @Conv(filters = 6, kernel = 5, padding = 2, activation = Activation.RELU) Layer c1;",
                "    @MaxPool(window = 2) Layer s2;",
                "    @Conv(filters = 16, kernel = 5, activation = Activation.RELU) Layer c3;",
                "    @MaxPool(window = 2) Layer s4;",
                "    @Dense(units = 120, activation = Activation.RELU) Layer f5;",
                "    @Dense(units = 84, activation = Activation.RELU) Layer f6;",
                "    @Dense(units = 10) Layer output;",
                "}");
    }

    @Test
    void specHoldsTheCheckedConstants() {
        Compilation c = compile(lenet("public "));
        assertThat(c).succeededWithoutWarnings();
        String spec = generatedSource(c, "test.FooSpec");
        assertThat(spec).contains("package test;");
        assertThat(spec).contains("@Generated(\"dev.strider.processor.StriderProcessor\")");
        assertThat(spec).contains("import javax.annotation.processing.Generated;");
        assertThat(spec).contains("public final class FooSpec {");
        assertThat(spec).contains("public static final long PARAMS = 61_706L;");
        assertThat(spec).contains("public static final long NON_TRAINABLE_PARAMS = 0L;");
        // 6*28*28*25 + 16*10*10*150 + 400*120 + 120*84 + 84*10
        assertThat(spec).contains("public static final long MACS = 416_520L;");
        assertThat(spec).contains("public static final int MAX_BATCH = 64;");
        assertThat(spec).contains("public static final int INPUT_CHANNELS = 1;");
        assertThat(spec).contains("public static final int INPUT_HEIGHT = 28;");
        assertThat(spec).contains("public static final int INPUT_WIDTH = 28;");
        assertThat(spec).contains("public static final int INPUT_SIZE = 784;");
        assertThat(spec).contains("public static final int OUTPUT_SIZE = 10;");
        assertThat(spec).contains("public static final String REPORT_RESOURCE = \"META-INF/strider/test.Foo.json\";");
        assertThat(spec).contains("private FooSpec() {");
        assertThat(spec).contains("public static String summary() {");
        // The summary table, in the javadoc and in summary(): one row per layer with its shape, params and MACs.
        assertThat(spec).contains("Params: 61,706 trainable, 0 non-trainable");
        assertThat(spec).containsMatch("c1 +Conv +6 filters 5x5, pad 2, relu +\\[6,28,28\\] +156 +117,600 +5/1");
        assertThat(spec).containsMatch("f5 +Dense +120 units, relu; flattens \\[16,5,5\\] -> 400 +\\[120\\] +48,120 +48,000");
        // The generated class compiled with the rest (it is in the class output).
        assertTrue(c.generatedFile(StandardLocation.CLASS_OUTPUT, "test", "FooSpec.class").isPresent());
    }

    @Test
    void jsonReportMatchesTheSpec() {
        Compilation c = compile(lenet(""));
        assertThat(c).succeededWithoutWarnings();
        NetworkReport r = report(c, "test.Foo");
        assertEquals(1, r.format());
        assertEquals("Foo", r.name());
        assertEquals("test.Foo", r.qualifiedName());
        assertEquals(List.of(1L, 28L, 28L), r.input());
        assertEquals(List.of(10L), r.output());
        assertEquals(64, r.maxBatch());
        assertEquals("SOFTMAX_CROSS_ENTROPY", r.loss());
        assertEquals("STRICT", r.rounding());
        assertEquals(61_706, r.params());
        assertEquals(416_520, r.macs());
        assertEquals(List.of("c1", "s2", "c3", "s4", "f5", "f6", "output"), r.layers().stream().map(NetworkReport.LayerReport::name).toList());
        assertEquals(List.of(156L, 0L, 2_416L, 0L, 48_120L, 10_164L, 850L), r.layers().stream().map(NetworkReport.LayerReport::params).toList());
        assertEquals(List.of(16L, 5L, 5L), r.layer("s4").out());
        assertEquals(List.of(16L, 5L, 5L), r.layer("f5").in());
        assertEquals(List.of(120L), r.layer("f5").out());
        // receptive field: 5 -> 6 (pool 2) -> 6+4*2 = 14 -> 16 (pool) ; jumps 1, 2, 2, 4
        assertEquals(List.of(14L, 14L), r.layer("c3").receptiveField().size());
        assertEquals(List.of(4L, 4L), r.layer("s4").receptiveField().jump());
        // a package-private network gets a package-private spec
        String spec = generatedSource(c, "test.FooSpec");
        assertThat(spec).contains("\nfinal class FooSpec {");
        assertThat(spec).doesNotContain("public final class FooSpec");
    }

    @Test
    void batchNormStateIsCountedApartFromTrainableParameters() {
        // conv 4*3*3*3 (no bias) = 108; batch norm 2*4 = 8 trainable + 8 running statistics; dense 4*8*8*2 + 2 = 514.
        JavaFileObject src = network(
                "@Network(maxBatch = 8, expectParams = 630)",
                "@Input(channels = 3, height = 8, width = 8)",
                "public abstract class Foo {",
                "    @Conv(filters = 4, kernel = 3, padding = Padding.SAME, bias = false) Layer c1;",
                "    @BatchNorm Layer bn;",
                "    @ReLU Layer act;",
                "    @Dense(units = 2) Layer fc;",
                "}");
        Compilation c = compile(src);
        assertThat(c).succeededWithoutWarnings();
        String spec = generatedSource(c, "test.FooSpec");
        assertThat(spec).contains("public static final long PARAMS = 630L;");
        assertThat(spec).contains("public static final long NON_TRAINABLE_PARAMS = 8L;");
        // conv: 4*8*8 outputs * 3*3*3 = 6,912; dense 256*2 = 512
        assertThat(spec).contains("public static final long MACS = 7_424L;");
        assertThat(spec).contains("public static final int INPUT_SIZE = 192;");
        assertThat(spec).contains("public static final int OUTPUT_SIZE = 2;");
        NetworkReport r = report(c, "test.Foo");
        assertEquals(630, r.params());
        assertEquals(8, r.nonTrainableParams());
        assertEquals(8, r.layer("bn").nonTrainableParams());
        assertEquals((630 + 8) * 4, r.memory().weightBytes());
    }

    @Test
    void outputIsDeterministic() {
        Compilation first = compile(lenet("public "));
        Compilation second = compile(lenet("public "));
        assertThat(first).succeededWithoutWarnings();
        assertThat(second).succeededWithoutWarnings();
        assertArrayEquals(bytes(first, StandardLocation.SOURCE_OUTPUT, "test", "FooSpec.java"),
                bytes(second, StandardLocation.SOURCE_OUTPUT, "test", "FooSpec.java"));
        assertArrayEquals(bytes(first, StandardLocation.CLASS_OUTPUT, "", "META-INF/strider/test.Foo.json"),
                bytes(second, StandardLocation.CLASS_OUTPUT, "", "META-INF/strider/test.Foo.json"));
        assertEquals(generatedSource(first, "test.FooSpec"), generatedSource(second, "test.FooSpec"));
        assertEquals(jsonText(first, "test.Foo"), jsonText(second, "test.Foo"));
        // no timestamp or date anywhere in the generated code
        assertThat(generatedSource(first, "test.FooSpec")).doesNotContain("date");
    }

    private static byte[] bytes(Compilation c, StandardLocation location, String pkg, String name) {
        Optional<JavaFileObject> file = c.generatedFile(location, pkg, name);
        assertTrue(file.isPresent(), () -> name + " not generated: " + c.generatedFiles());
        try (InputStream in = file.get().openInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void nestedNetworkGetsOuterUnderscoreInnerSpec() {
        JavaFileObject src = Compilers.source("test.Outer",
                "public class Outer {",
                "    @Network(maxBatch = 2)",
                "    @Input(channels = 1, height = 4, width = 4)",
                "    public abstract static class Inner {",
                "        @Dense(units = 3) Layer fc;",
                "    }",
                "}");
        Compilation c = compile(src);
        assertThat(c).succeededWithoutWarnings();
        assertThat(c).generatedSourceFile("test.Outer_InnerSpec");
        String spec = generatedSource(c, "test.Outer_InnerSpec");
        assertThat(spec).contains("public final class Outer_InnerSpec {");
        assertThat(spec).contains("{@link test.Outer.Inner}");
        assertThat(spec).contains("public static final long PARAMS = 51L;"); // 16*3 + 3
        assertThat(spec).contains("public static final String REPORT_RESOURCE = \"META-INF/strider/test.Outer.Inner.json\";");
        NetworkReport r = report(c, "test.Outer.Inner");
        assertEquals("Inner", r.name());
        assertEquals("test.Outer.Inner", r.qualifiedName());
        assertTrue(c.generatedSourceFile("test.InnerSpec").isEmpty());
    }

    @Test
    void networkInTheUnnamedPackage() {
        JavaFileObject src = com.google.testing.compile.JavaFileObjects.forSourceLines("Foo",
                "import dev.strider.dsl.*;",
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Dense(units = 3) Layer fc;",
                "}");
        Compilation c = compile(src);
        assertThat(c).succeededWithoutWarnings();
        assertThat(generatedSource(c, "FooSpec")).contains("public static final long PARAMS = 51L;");
        assertEquals("Foo", report(c, "Foo").qualifiedName());
    }

    @Test
    void summaryOptionPrintsTheTableAsANote() {
        JavaFileObject src = lenet("");
        Compilation c = Compilers.compileWith(List.of("-Astrider.summary=true"), src);
        assertThat(c).succeeded();
        String note = single(c, Diagnostic.Kind.NOTE, "Strider summary of Foo:");
        assertThat(note).startsWith("Strider summary of Foo:");
        assertThat(note).contains("Foo (test.Foo): input [1,28,28], max batch 64, loss SOFTMAX_CROSS_ENTROPY");
        assertThat(note).containsMatch("s4 +MaxPool +2x2, stride 2 +\\[16,5,5\\] +0 +0 +16/4");
        assertThat(c).hadNoteContaining("Strider summary of Foo:").inFile(src).onLineContaining("abstract class Foo");
        assertThat(c).hadNoteContaining("Params: 61,706 trainable, 0 non-trainable");
        assertThat(c).hadWarningCount(0);
    }
}
