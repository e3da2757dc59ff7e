package dev.strider.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two ways a machine without a GPU answers the probe, each in a fresh JVM (the probe's answer, and JCuda's
 * failed native load, last for the life of a JVM): no driver at all, and a driver without a device (a stand-in
 * {@code libcuda.so.1} built with gcc). Neither may throw: the caller gets one line saying why.
 */
class CudaProbeTest {
    @TempDir
    Path dir;

    private record Result(int exit, String output) {}

    private Result probe(Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CudaProbe.class.getName()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        return new Result(p.waitFor(), out);
    }

    private static boolean systemHasADriver() {
        for (String d : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib")) {
            if (Files.exists(Path.of(d, "libcuda.so.1"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void withoutADriverTheProbeSaysSoAndExitsOne() throws Exception {
        assumeFalse(systemHasADriver(), "this machine has a CUDA driver; the no-driver case is covered on machines without one (CI)");
        Result r = probe(Map.of("LD_LIBRARY_PATH", dir.toString()));
        assertEquals(1, r.exit(), r.output());
        assertEquals("no usable CUDA GPU: no CUDA driver here (JCuda could not load it: Error while loading native library "
                + "\"JCudaDriver-12.0.0-linux-x86_64\")", r.output());
    }

    @Test
    void aDriverWithoutADeviceIsReportedByName() throws Exception {
        Path source = dir.resolve("fake_libcuda.c");
        try (InputStream in = CudaProbeTest.class.getResourceAsStream("/cuda/fake_libcuda.c")) {
            Files.write(source, in.readAllBytes());
        }
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", dir.resolve("libcuda.so.1").toString(), source.toString())
                .redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes());
        assertEquals(0, gcc.waitFor(), "gcc: " + log);
        Result r = probe(Map.of("LD_LIBRARY_PATH", dir.toString()));
        assertEquals(1, r.exit(), r.output());
        assertEquals("no usable CUDA GPU: the CUDA driver reports CUDA_ERROR_NO_DEVICE", r.output());
    }

    @Test
    void theAnswerIsCachedAndNeverThrows() {
        CudaProbe.Availability first = CudaProbe.availability();
        assertEquals(first, CudaProbe.availability());
        if (!first.usable()) {
            assertFalse(first.reason().isBlank());
        }
    }
}
