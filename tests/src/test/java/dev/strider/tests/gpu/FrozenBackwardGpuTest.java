package dev.strider.tests.gpu;

import dev.strider.runtime.engine.Engine;
import dev.strider.tests.engine.FrozenBackwardTest;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The GPU engine's backward plan: the kernels of skipped layers and frozen parameters are left out of the recorded
 * launch sequence, with the same plans and the same gradients as {@link FrozenBackwardTest} asserts for the Java engine.
 */
@Tag("gpu")
class FrozenBackwardGpuTest {
    private static Supplier<Engine> gpu(String network) {
        return () -> {
            try {
                return GpuEngineTest.gpuEngine(network);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        };
    }

    @Test
    void frozenLayersLaunchNoGradientKernels() {
        Supplier<Engine> lenet = gpu("dev.strider.samples.LeNet5");
        FrozenBackwardTest.check("LeNet-5, a frozen backbone", lenet, Set.of("c1", "c3", "f5"), false, "-----PP");
        FrozenBackwardTest.check("LeNet-5, c3 frozen between trainable layers", lenet, Set.of("c3"), false, "PgggPPP");
        FrozenBackwardTest.check("LeNet-5, all frozen, input gradient wanted", lenet, Set.of("c1", "c3", "f5", "f6", "output"), true, "ggggggg");
        Supplier<Engine> graph = gpu("dev.strider.tests.engine.nets.GcGraph");
        FrozenBackwardTest.check("branches, c1 frozen", graph, Set.of("c1"), false, "-PPggPPgP");
        FrozenBackwardTest.check("branches, all but c1 frozen", graph, Set.of("bn", "shortcut", "fc", "side", "head"), false, "Pg-gggggg");
        FrozenBackwardTest.check("FashionSecondHalf as declared", gpu("dev.strider.samples.FashionSecondHalf"), null, false, "------P");
    }
}
