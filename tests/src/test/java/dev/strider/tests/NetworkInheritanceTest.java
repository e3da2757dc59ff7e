package dev.strider.tests;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import dev.strider.runtime.engine.Engine;
import dev.strider.runtime.engine.Parameter;
import dev.strider.runtime.report.NetworkReport;
import dev.strider.tests.fuzz.GeneratedClasses;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * A network that extends another network: its layers are the superclass's (the topmost class's first) and then its
 * own, its {@code @Input} its own or else the nearest superclass's; its {@code @Network} values are its own. The use it is for: an inference-only
 * engine, or one of another maxBatch, of a network that trains, from one declaration and one weights file.
 */
class NetworkInheritanceTest {
    private static final JavaFileObject BASE = Compilers.source("test.Base",
            "@Network(maxBatch = 4, expectParams = 2_075)",
            "@Input(channels = 1, height = 8, width = 8)",
            "abstract class Base {",
            "    @Conv(filters = 4, kernel = 3, activation = Activation.RELU) Layer c;   // [4,6,6]: 4 * 9 + 4 = 40 parameters",
            "    @MaxPool(window = 2) Layer p;                                            // [4,3,3]",
            "    @Dense(units = 55, activation = Activation.RELU) Layer fc;               // 36 * 55 + 55 = 2,035",
            "}");

    @Test
    void anInferenceOnlySubclassHasTheLayersAndGivesTheSameBits() throws ReflectiveOperationException {
        JavaFileObject serving = Compilers.source("test.Serving",
                "@Network(maxBatch = 1, expectParams = 2_075, inferenceOnly = true)",
                "abstract class Serving extends Base {",
                "}");
        Compilation c = Compilers.compile(BASE, serving);
        assertThat(c).succeededWithoutWarnings();
        NetworkReport r = Compilers.report(c, "test.Serving");
        assertEquals(List.of("c", "p", "fc"), r.layers().stream().map(NetworkReport.LayerReport::name).toList());
        assertEquals(List.of(1L, 8L, 8L), r.input());
        assertEquals(1, r.maxBatch());
        assertTrue(r.memory().inferenceOnly());
        assertFalse(Compilers.report(c, "test.Base").memory().inferenceOnly());

        GeneratedClasses classes = new GeneratedClasses(c);
        Engine train = (Engine) classes.instantiate("test.BaseEngine");
        Engine serve = (Engine) classes.instantiate("test.ServingEngine");
        assertEquals(List.of("c.weight", "c.bias", "fc.weight", "fc.bias"), serve.parameters().stream().map(Parameter::name).toList());
        train.initialize(9);
        for (Parameter p : train.parameters()) {
            System.arraycopy(p.data(), 0, serve.parameter(p.name()).data(), 0, p.size());
        }
        float[] x = new float[64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.cos(i * 0.7);
        }
        float[] a = train.forward(x, 1);
        float[] b = serve.forward(x, 1);
        assertEquals(55, b.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToIntBits(a[i]), Float.floatToIntBits(b[i]), "output " + i);
        }
    }

    @Test
    void aSubclassAddsLayersAfterTheInheritedOnes() {
        JavaFileObject net = Compilers.source("test.Headed",
                "@Network(maxBatch = 2)",
                "abstract class Headed extends Base {",
                "    @Dense(units = 4) Layer head;",
                "}");
        Compilation c = Compilers.compile(BASE, net);
        assertThat(c).succeededWithoutWarnings();
        NetworkReport r = Compilers.report(c, "test.Headed");
        assertEquals(List.of("c", "p", "fc", "head"), r.layers().stream().map(NetworkReport.LayerReport::name).toList());
        assertEquals(List.of(1L, 8L, 8L), r.input());   // Base's @Input
        // Base's 2,075 and head's 55 * 4 + 4 = 224
        assertEquals(2_299, r.params());
    }

    @Test
    void aLayerThatHidesAnInheritedOneIsAnErrorOnIt() {
        JavaFileObject net = Compilers.source("test.Wider",
                "@Network(maxBatch = 2)",
                "abstract class Wider extends Base {",
                "    @Dense(units = 10) Layer out;",
                "    @Dense(units = 99) Layer fc;",
                "}");
        Compilation c = Compilers.compile(BASE, net);
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("[strider/hidden-layer] Wider declares layer fc, but it already has a layer of that name, "
                + "inherited from test.Base. Rename one of them: a network's layer names are unique (they name its weights).")
                .inFile(net).onLineContaining("Layer fc;");
    }
}
