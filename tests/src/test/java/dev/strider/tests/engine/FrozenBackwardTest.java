package dev.strider.tests.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strider.runtime.engine.Engine;
import dev.strider.runtime.engine.EngineBase;
import dev.strider.runtime.engine.Parameter;
import dev.strider.samples.FashionSecondHalfEngine;
import dev.strider.samples.LeNet5Engine;
import dev.strider.tests.engine.nets.GcGraphEngine;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Frozen layers cost no gradient: the backward plan skips every layer that has nothing trainable at or before it,
 * and a frozen layer between trainable ones passes the gradient on without computing its own. What is still computed
 * must be exactly what an engine with nothing frozen computes, and a frozen parameter's gradient reads zero.
 *
 * <p>The expected plans are worked out by hand from each network's graph: one letter per layer in forward order,
 * {@code P} parameter gradients and input gradient, {@code g} input gradient only, {@code -} nothing. The GPU engine
 * runs the same cases in {@code gpu.FrozenBackwardGpuTest}.
 */
public class FrozenBackwardTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                // LeNet-5: c1 s2 c3 s4 f5 f6 output
                Arguments.of("LeNet-5, nothing frozen", lenet(), Set.of(), false, "PgPgPPP"),
                Arguments.of("LeNet-5, a frozen backbone under the last two layers", lenet(), Set.of("c1", "c3", "f5"), false, "-----PP"),
                Arguments.of("LeNet-5, c3 frozen between trainable layers", lenet(), Set.of("c3"), false, "PgggPPP"),
                Arguments.of("LeNet-5, all frozen, input gradient wanted", lenet(), Set.of("c1", "c3", "f5", "f6", "output"), true, "ggggggg"),
                Arguments.of("LeNet-5, all frozen", lenet(), Set.of("c1", "c3", "f5", "f6", "output"), false, "-------"),
                // GcGraph: c1 bn shortcut sum flat(alias) fc side joined head
                Arguments.of("branches, c1 frozen", graph(), Set.of("c1"), false, "-PPggPPgP"),
                Arguments.of("branches, all but c1 frozen", graph(), Set.of("bn", "shortcut", "fc", "side", "head"), false, "Pg-gggggg"),
                Arguments.of("branches, only the head trains", graph(), Set.of("c1", "bn", "shortcut", "fc", "side"), false, "--------P"),
                // the transfer sample declares its backbone @Frozen: only the new head computes anything
                Arguments.of("FashionSecondHalf as declared", (Supplier<Engine>) FashionSecondHalfEngine::new, null, false, "------P"));
    }

    private static Supplier<Engine> lenet() {
        return LeNet5Engine::new;
    }

    private static Supplier<Engine> graph() {
        return GcGraphEngine::new;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theBackwardPlanComputesOnlyWhatTrainingNeeds(String name, Supplier<Engine> make, Set<String> frozen, boolean inputGrad, String plan) {
        check(name, make, frozen, inputGrad, plan);
    }

    /**
     * Gradients of a fresh engine with nothing frozen, against an engine that first computed every gradient (so that
     * nothing is zero by chance) and then froze the {@code frozen} layers' parameters ({@code null}: as declared).
     */
    public static void check(String name, Supplier<Engine> make, Set<String> frozen, boolean inputGrad, String plan) {
        Engine reference = make.get();
        for (Parameter p : reference.parameters()) {
            p.setFrozen(false);
        }
        Engine engine = make.get();
        try {
            int batch = Math.min(3, reference.maxBatch());
            Random rnd = new Random(17);
            float[] input = new float[batch * reference.inputSize()];
            for (int i = 0; i < input.length; i++) {
                input[i] = (float) rnd.nextGaussian();
            }
            int[] labels = new int[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = rnd.nextInt(reference.outputSize());
            }
            reference.initialize(7);
            engine.initialize(7);
            float[] referenceInputGrad = new float[input.length];
            float referenceLoss = reference.gradients(input, labels, batch, referenceInputGrad);

            if (frozen != null) {
                for (Parameter p : engine.parameters()) {
                    p.setFrozen(false);
                }
                engine.gradients(input, labels, batch, null);   // every gradient computed once
                for (Parameter p : engine.parameters()) {
                    p.setFrozen(frozen.contains(p.name().substring(0, p.name().lastIndexOf('.'))));
                }
            }
            float[] inputGradient = inputGrad ? new float[input.length] : null;
            float loss = engine.gradients(input, labels, batch, inputGradient);
            assertEquals(plan, ((EngineBase) engine).backwardSignature(), name + ": the backward plan");
            assertEquals(referenceLoss, loss, name + ": the loss");
            if (inputGrad) {
                assertArrayEquals(referenceInputGrad, inputGradient, name + ": d loss / d input");
            }
            List<Parameter> expected = reference.parameters();
            for (int i = 0; i < expected.size(); i++) {
                Parameter p = engine.parameters().get(i);
                String layer = p.name().substring(0, p.name().lastIndexOf('.'));
                int step = layerIndex(engine, layer);
                boolean batchNorm = engine.buffers().stream().anyMatch(b -> b.name().equals(layer + ".running_mean"));
                if (p.frozen() && !(batchNorm && plan.charAt(step) != '-')) {
                    assertArrayEquals(new float[p.size()], gradient(p), name + ": frozen " + p.name() + "'s gradient must read zero");
                } else {
                    // computed: a trainable parameter, or a frozen batch norm's, whose d input is made of the same sums
                    assertArrayEquals(gradient(expected.get(i)), gradient(p), name + ": " + p.name() + "'s gradient");
                }
            }
        } finally {
            reference.close();
            engine.close();
        }
    }

    /** The layer's index in forward order (the plan's letters), counting every layer of the declaration. */
    private static int layerIndex(Engine e, String layer) {
        List<String> order = switch (e.name()) {
            case "LeNet5" -> List.of("c1", "s2", "c3", "s4", "f5", "f6", "output");
            case "GcGraph" -> List.of("c1", "bn", "shortcut", "sum", "flat", "fc", "side", "joined", "head");
            case "FashionSecondHalf" -> List.of("backbone_c1", "backbone_s2", "backbone_c3", "backbone_s4", "backbone_f5", "backbone", "secondHead");
            default -> throw new AssertionError(e.name());
        };
        return order.indexOf(layer);
    }

    private static float[] gradient(Parameter p) {
        return p.grad().clone();
    }
}
