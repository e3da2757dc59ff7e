package dev.strider.tests.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds and runs CPU emulators of generated CUDA code: g++ compiles a driver from {@code src/test/resources/cuda}
 * with {@code strider_emulator.h} and a network's {@code .cu} file (which the processor wrote as a resource of the
 * test classes).
 */
final class Emulator {
    private static final Path RESOURCES = Path.of("src/test/resources/cuda").toAbsolutePath();

    private Emulator() {}

    /** The {@code .cu} resource of {@code network}, copied into {@code dir}. */
    static Path cudaSource(Path dir, String network) throws IOException {
        String path = "META-INF/strider/" + network + ".cu";
        try (var s = Emulator.class.getClassLoader().getResourceAsStream(path)) {
            assertTrue(s != null, "no resource " + path);
            Path cu = dir.resolve(network + ".cu");
            Files.writeString(cu, new String(s.readAllBytes(), StandardCharsets.UTF_8));
            return cu;
        }
    }

    /** Compiles {@code driver} (a file in the resources) against {@code cu}; returns the executable. */
    static Path compile(Path cu, String driver) {
        Path exe = cu.resolveSibling(cu.getFileName() + "." + driver + ".exe");
        List<String> cmd = List.of("g++", "-O1", "-std=c++17", "-Wall", "-Werror", "-I", RESOURCES.toString(),
                "-DSTRIDER_NETWORK_CU=\"" + cu.toAbsolutePath() + "\"", "-x", "c++", RESOURCES.resolve(driver).toString(),
                "-o", exe.toString());
        String log = run(cmd, "g++ is needed to emulate the CUDA kernels (Debian: apt-get install g++)");
        assertTrue(Files.isExecutable(exe), "g++ wrote no " + exe + ":\n" + log);
        return exe;
    }

    /** Runs {@code exe in out}; fails the test with the program's output if it exits non-zero. */
    static void run(Path exe, Path in, Path out) {
        run(List.of(exe.toString(), in.toString(), out.toString()), "the emulator " + exe + " did not start");
    }

    private static String run(List<String> cmd, String missing) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), String.join(" ", cmd) + " failed:\n" + log);
            return log;
        } catch (IOException e) {
            throw new AssertionError(missing + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
