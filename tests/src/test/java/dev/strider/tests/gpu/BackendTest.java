package dev.strider.tests.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.strider.runtime.cuda.Backend;
import dev.strider.runtime.cuda.CudaProbe;
import dev.strider.runtime.cuda.CudaUnavailableException;
import dev.strider.runtime.engine.Kernels;
import dev.strider.samples.LeNet5Engine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The backend choice on machines without a usable GPU (the default suite, in CI): {@code auto} falls back to the Java
 * engine and says why, {@code gpu} fails with the same reason, {@code cpu} never touches the driver. Both ways a
 * machine lacks a GPU: no driver at all (this JVM, on CI machines), and a driver that finds no device (a fresh JVM
 * over the stand-in driver with {@code STRIDER_FAKE_CUDA_NO_DEVICE}).
 */
class BackendTest {
    @Test
    void withoutADriverAutoRunsTheJavaEngineAndSaysWhy() {
        assumeFalse(CudaProbe.availability().usable(), "this machine has a GPU: the gpu suite covers it");
        Backend.Choice auto = LeNet5Engine.choose(Backend.AUTO);
        assertInstanceOf(LeNet5Engine.class, auto.engine());
        String reason = CudaProbe.availability().reason();
        assertEquals("LeNet5: Java engine (backend auto: " + reason + "; " + Kernels.implementation() + ")", auto.reason());
        CudaUnavailableException gpu = assertThrows(CudaUnavailableException.class, () -> LeNet5Engine.create(Backend.GPU));
        assertEquals(reason, gpu.getMessage());
        assertInstanceOf(LeNet5Engine.class, LeNet5Engine.create(Backend.CPU));
    }

    @Test
    void aDriverWithoutADeviceIsReportedByAutoAndByGpu() throws Exception {
        Path driver = Path.of("target", "gpu-emulation", "no-device").toAbsolutePath();
        Files.createDirectories(driver);
        Path source = driver.resolve("fake_driver.c");
        Files.writeString(source, GpuTestDevices.resource("/cuda/fake_driver.c"));
        GpuTestDevices.run(List.of("gcc", "-O1", "-shared", "-fPIC", "-Wl,-soname,libcuda.so.1", "-o",
                driver.resolve("libcuda.so.1").toString(), source.toString(), "-ldl"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), BackendMain.class.getName()).redirectErrorStream(true);
        pb.environment().putAll(Map.of("LD_LIBRARY_PATH", driver.toString(), "STRIDER_FAKE_CUDA_NO_DEVICE", "1"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        List<String> lines = out.lines().filter(l -> l.startsWith("auto: ") || l.startsWith("gpu: ")).toList();
        String reason = "the CUDA driver reports CUDA_ERROR_NO_DEVICE";
        assertEquals(2, lines.size(), out);
        // the child JVM runs without --add-modules jdk.incubator.vector: its kernel note is its own
        String auto = "auto: LeNet5Engine: LeNet5: Java engine (backend auto: " + reason + "; ";
        assertEquals(auto, lines.get(0).substring(0, Math.min(auto.length(), lines.get(0).length())), out);
        assertEquals("gpu: " + reason, lines.get(1), out);
    }

    @Test
    void backendNamesParseInAnyCaseAndAnythingElseIsRejected() {
        assertEquals(Backend.AUTO, Backend.parse("auto"));
        assertEquals(Backend.GPU, Backend.parse(" GPU "));
        assertEquals(Backend.CPU, Backend.parse("Cpu"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.parse("tpu"));
        assertEquals("backend \"tpu\" is none of auto, cpu, gpu", e.getMessage());
    }
}
