package dev.strider.tests;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.strider.tests.Compilers.compile;
import static dev.strider.tests.Compilers.network;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import dev.strider.runtime.engine.Parameter;
import dev.strider.runtime.optim.Sgd;
import dev.strider.tests.engine.nets.DeclaredTrainingEngine;
import java.util.List;
import java.util.Random;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** {@code @Frozen} and {@code @LearningRate} in the declaration: what the generated engine starts with, and what a step then does. */
class DeclaredTrainingTest {
    @Test
    void theEngineStartsWithTheDeclaredTraining() {
        DeclaredTrainingEngine e = new DeclaredTrainingEngine();
        for (Parameter p : e.parameters()) {
            boolean frozen = p.name().startsWith("stem.") || p.name().startsWith("pair");
            assertEquals(frozen, p.frozen(), p.name() + " frozen");
        }
        // a use multiplies its layers' own multipliers: pair_a 0.1, pair (the block's b, 0.25) 0.1 x 0.25
        assertEquals(1f, e.parameter("stem.weight").learningRateScale());
        assertEquals(0.1f, e.parameter("pair_a.weight").learningRateScale());
        assertEquals(0.025f, e.parameter("pair.weight").learningRateScale(), 1e-9f);
        assertEquals(0.5f, e.parameter("head.bias").learningRateScale());
    }

    @Test
    void aStepMovesOnlyTheUnfrozenParametersAtTheirRates() {
        DeclaredTrainingEngine e = new DeclaredTrainingEngine();
        e.initialize(3);
        Random rnd = new Random(5);
        float[] input = new float[4 * e.inputSize()];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) rnd.nextGaussian();
        }
        int[] labels = {0, 1, 2, 1};
        List<float[]> before = e.parameters().stream().map(p -> p.data().clone()).toList();
        e.gradients(input, labels, 4, null);
        float[] headGrad = e.parameter("head.weight").grad().clone();
        e.setOptimizer(Sgd.builder(0.2f).build());
        e.trainStep(input, labels, 4);
        for (int i = 0; i < before.size(); i++) {
            Parameter p = e.parameters().get(i);
            if (p.frozen()) {
                assertArrayEquals(before.get(i), p.data(), p.name() + " is frozen and must not move");
            }
        }
        float[] head = e.parameter("head.weight").data();
        for (int i = 0; i < head.length; i++) {
            // plain SGD at rate 0.2 x the declared 0.5
            assertEquals(before.get(indexOf(e, "head.weight"))[i] - 0.1f * headGrad[i], head[i], 1e-6f, "head.weight[" + i + "]");
        }
    }

    private static int indexOf(DeclaredTrainingEngine e, String name) {
        for (int i = 0; i < e.parameters().size(); i++) {
            if (e.parameters().get(i).name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void aBadMultiplierInABlockIsReportedOnceOnTheBlock() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Use(Pair.class) Layer first;",
                "    @Use(Pair.class) Layer second;",
                "    @Dense(units = 2) Layer d;",
                "    @Block",
                "    static abstract class Pair {",
                "        @LearningRate(-1) @Conv(filters = 1, kernel = 1) Layer a;",
                "        @Conv(filters = 1, kernel = 1, activation = Activation.RELU) Layer b;",
                "    }",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(2);
        assertThat(c).hadErrorContaining("[strider/learning-rate] @LearningRate on Pair.a: -1.0 is not a positive, finite multiplier.")
                .inFile(src).onLineContaining("Layer a;");
        assertThat(c).hadErrorContaining("[strider/block-use] Use \"second\": a block it uses has an error, reported on the block.")
                .inFile(src).onLineContaining("Layer second;");
    }

    @Test
    void aMultiplierThatIsNotPositiveIsAnErrorOnItsValue() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @LearningRate(0) @Conv(filters = 2, kernel = 3) Layer c;",
                "    @Dense(units = 2) Layer d;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/learning-rate] @LearningRate on Foo.c: 0.0 is not a positive, finite multiplier. "
                + "To keep a layer from learning, use @Frozen.").inFile(src).onLineContaining("Layer c;");
    }
}
