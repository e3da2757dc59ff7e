package dev.strider.tests.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.runtime.engine.Kernels;
import org.junit.jupiter.api.Test;

/**
 * Which kernels the engine tests ran on. The default surefire execution starts the JVM with
 * {@code --add-modules jdk.incubator.vector}; the {@code scalar-kernels} execution (tests/pom.xml) runs the
 * reference and gradient-check tests again with {@code -Dstrider.vector=false}. Without this check either run could
 * silently test the other's kernels.
 */
class ScalarKernelsTest {
    @Test
    void theKernelsAreTheOnesThisRunAskedFor() {
        if (Boolean.parseBoolean(System.getProperty(Kernels.VECTOR_PROPERTY, "true"))) {
            assertTrue(Kernels.vectorized(), Kernels.implementation());
        } else {
            assertFalse(Kernels.vectorized(), Kernels.implementation());
            assertTrue(Kernels.implementation().contains("-Dstrider.vector=false"), Kernels.implementation());
        }
    }
}
