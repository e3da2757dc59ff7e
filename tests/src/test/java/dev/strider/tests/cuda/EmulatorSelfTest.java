package dev.strider.tests.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CPU emulator's own guarantees, on which the numerical tests of the cooperative (shared-memory) kernels rest: a
 * block's threads really run together up to each barrier, a missing barrier shows as wrong results, and a barrier
 * that only some threads reach, or one in a grid-stride launch, stops the emulator with a message.
 */
class EmulatorSelfTest {
    @TempDir
    static Path dir;
    private static Path exe;

    @BeforeAll
    static void build() throws IOException {
        Path cu = dir.resolve("selftest.cu");
        java.nio.file.Files.writeString(cu, "// the self-test declares its own kernels\n");
        exe = Emulator.compile(cu, "emulator_selftest.cpp");
    }

    private static String[] run(String mode) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(exe.toString(), mode)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return new String[] {String.valueOf(p.waitFor()), out};
    }

    @Test
    void aBarrierMakesTheSharedTileVisibleToTheWholeBlock() throws Exception {
        assertEquals("right", run("synced")[1]);
    }

    @Test
    void aMissingBarrierGivesWrongResultsRatherThanLuckyOnes() throws Exception {
        assertEquals("wrong", run("racy")[1]);
    }

    @Test
    void aBarrierReachedByOnlySomeThreadsStopsTheEmulator() throws Exception {
        String[] r = run("divergent");
        assertNotEquals("0", r[0]);
        assertTrue(r[1].contains("divergent barrier"), r[1]);
    }

    @Test
    void aBarrierInAGridStrideLaunchStopsTheEmulator() throws Exception {
        String[] r = run("grid-stride-barrier");
        assertNotEquals("0", r[0]);
        assertTrue(r[1].contains("__syncthreads in a kernel launched as a grid-stride loop"), r[1]);
    }
}
