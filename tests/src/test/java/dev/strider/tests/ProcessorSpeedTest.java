package dev.strider.tests;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.strider.tests.Compilers.report;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import dev.strider.runtime.report.NetworkReport;
import java.util.ArrayList;
import java.util.List;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * A 200-layer declaration through the processor with {@code -Astrider.timing=true}. The time is measured and printed,
 * never asserted (it depends on the machine); what is asserted is that the timing note exists and that the network
 * was checked and reported in full.
 */
class ProcessorSpeedTest {
    static final int LAYERS = 200;
    /** 66 blocks of conv 3x3 SAME, batch norm, ReLU = 198 layers, then a global average pool and a dense layer. */
    static final int BLOCKS = 66;

    static JavaFileObject deepNetwork() {
        List<String> lines = new ArrayList<>();
        lines.add("@Network(maxBatch = 8)");
        lines.add("@Input(channels = 4, height = 8, width = 8)");
        lines.add("abstract class Foo {");
        for (int i = 0; i < BLOCKS; i++) {
            lines.add("    @Conv(filters = 4, kernel = 3, padding = Padding.SAME, bias = false) Layer conv" + i + ";");
            lines.add("    @BatchNorm Layer bn" + i + ";");
            lines.add("    @ReLU Layer relu" + i + ";");
        }
        lines.add("    @GlobalAvgPool Layer gap;");
        lines.add("    @Dense(units = 10) Layer fc;");
        lines.add("}");
        return Compilers.network(lines.toArray(String[]::new));
    }

    @Test
    void twoHundredLayers() {
        JavaFileObject src = deepNetwork();
        long start = System.nanoTime();
        Compilation c = Compilers.compileWith(List.of("-Astrider.timing=true"), src);
        double wallMs = (System.nanoTime() - start) / 1e6;

        assertThat(c).succeededWithoutWarnings();
        String note = Compilers.single(c, Diagnostic.Kind.NOTE, "Strider checked and generated");
        assertThat(note).matches("Strider checked and generated test.Foo \\(" + LAYERS
                + " layers\\): checked in [0-9]+\\.[0-9] ms, generated in [0-9]+\\.[0-9] ms");
        assertThat(c).hadNoteContaining("Strider checked and generated test.Foo (200 layers)").inFile(src).onLineContaining("abstract class Foo");
        System.out.printf("[ProcessorSpeedTest] first run: %s (whole javac run: %.1f ms)%n", note, wallMs);

        // Once more, with the processor's classes loaded and partly compiled by the JIT: closer to a build's steady state.
        start = System.nanoTime();
        Compilation again = Compilers.compileWith(List.of("-Astrider.timing=true"), deepNetwork());
        wallMs = (System.nanoTime() - start) / 1e6;
        assertThat(again).succeededWithoutWarnings();
        System.out.printf("[ProcessorSpeedTest] second run: %s (whole javac run: %.1f ms)%n",
                Compilers.single(again, Diagnostic.Kind.NOTE, "Strider checked and generated"), wallMs);

        NetworkReport r = report(c, "test.Foo");
        assertEquals(LAYERS, r.layers().size());
        assertEquals("conv0", r.layers().get(0).name());
        assertEquals("fc", r.layers().get(LAYERS - 1).name());
        assertEquals(List.of(4L, 8L, 8L), r.layer("relu65").out());
        assertEquals(List.of(10L), r.output());
        // conv 4*4*9 = 144 and batch norm 2*4 = 8 per block; dense 4*10 + 10 = 50
        assertEquals(BLOCKS * (144 + 8) + 50, r.params());
        assertEquals(BLOCKS * 8, r.nonTrainableParams());
        // receptive field: 66 stacked 3x3 convs at stride 1 see 1 + 66*2 = 133 pixels
        assertEquals(List.of(133L, 133L), r.layer("relu65").receptiveField().size());
    }
}
