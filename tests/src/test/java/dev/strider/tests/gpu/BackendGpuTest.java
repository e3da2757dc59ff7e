package dev.strider.tests.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strider.runtime.cuda.Backend;
import dev.strider.runtime.cuda.CudaProbe;
import dev.strider.runtime.cuda.CudaUnavailableException;
import dev.strider.runtime.engine.Kernels;
import dev.strider.samples.LeNet5CudaEngine;
import dev.strider.samples.LeNet5Engine;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The backend choice with a driver and a device. On a real GPU, {@code auto} and {@code gpu} give the GPU engine
 * with the packaged PTX. Over the stand-in driver the packaged PTX is real PTX, which it cannot run: it rejects the
 * module as a driver rejects a bad one, so this is the third way to lack a usable GPU, and {@code auto} must fall
 * back with the driver's reason while {@code gpu} fails with it.
 */
@Tag("gpu")
class BackendGpuTest {
    @Test
    void autoAndGpuGiveTheGpuEngineOrTheReasonTheyCannot() {
        if (GpuTestDevices.real()) {
            Backend.Choice auto = LeNet5Engine.choose(Backend.AUTO);
            try (var e = auto.engine()) {
                assertInstanceOf(LeNet5CudaEngine.class, e);
                assertEquals("LeNet5: GPU engine on " + CudaProbe.availability() + " (backend auto)", auto.reason());
            }
            return;
        }
        GpuTestDevices.loadFakeDriver();
        boolean packaged = LeNet5Engine.class.getClassLoader().getResource("META-INF/strider/dev.strider.samples.LeNet5.ptx") != null;
        String reason = packaged
                ? "the driver rejected the kernels of dev.strider.samples.LeNet5: CUDA_ERROR_INVALID_IMAGE"
                : "the build packaged no PTX for dev.strider.samples.LeNet5 (it ran without -Astrider.nvcc) and no nvcc is on the PATH to compile its .cu file";
        Backend.Choice auto = LeNet5Engine.choose(Backend.AUTO);
        assertInstanceOf(LeNet5Engine.class, auto.engine());
        assertEquals("LeNet5: Java engine (backend auto: " + reason + "; " + Kernels.implementation() + ")", auto.reason());
        CudaUnavailableException gpu = assertThrows(CudaUnavailableException.class, () -> LeNet5Engine.create(Backend.GPU));
        assertEquals(reason, gpu.getMessage());
    }
}
