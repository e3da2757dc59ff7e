package dev.strider.tests.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compiles a generated {@code .cu} file with {@code nvcc} the three ways a build or a GPU host uses it, warnings as
 * errors: PTX for compute_75 (the oldest target nvcc 13 accepts, JIT-compiled by newer drivers), and an object file
 * for sm_90 with the host launch schedule ({@code -DSTRIDER_HOST_SCHEDULE}, as a host program includes it), whose
 * cubin {@code ptxas -v} reports on (it must report no register spills). nvcc needs no GPU.
 */
public final class Nvcc {
    private static final Pattern SPILLS = Pattern.compile("(\\d+) bytes spill stores, (\\d+) bytes spill loads");

    private Nvcc() {}

    /** Compiles {@code cu} (written into {@code dir}) and returns what ptxas reported per kernel. */
    public static String compileAllWays(Path dir, String name, String cu) throws IOException, InterruptedException {
        Path file = dir.resolve(name + ".cu");
        Files.writeString(file, cu);
        run(List.of("-ptx", "-arch=compute_75", "-o", dir.resolve(name + ".ptx").toString(), file.toString()));
        assertTrue(Files.size(dir.resolve(name + ".ptx")) > 0, name + ".ptx is empty");
        return compileForSm90(dir, name, cu);
    }

    /**
     * The sm_90 half of {@link #compileAllWays}, for sources whose PTX the processor already built (with the same
     * flags): the host schedule's object file, which embeds the sm_90 cubin, and ptxas's report on it, checked for
     * spills.
     */
    public static String compileForSm90(Path dir, String name, String cu) throws IOException, InterruptedException {
        Path file = dir.resolve(name + ".cu");
        Files.writeString(file, cu);
        String ptxas = run(List.of("-c", "-arch=sm_90", "-Xptxas", "-v", "-DSTRIDER_HOST_SCHEDULE", "-o", dir.resolve(name + ".o").toString(),
                file.toString()));
        Matcher m = SPILLS.matcher(ptxas);
        int kernels = 0;
        while (m.find()) {
            kernels++;
            assertEquals("0", m.group(1), name + ": ptxas reports spill stores:\n" + ptxas);
            assertEquals("0", m.group(2), name + ": ptxas reports spill loads:\n" + ptxas);
        }
        assertTrue(kernels > 0, name + ": ptxas -v reported no kernel:\n" + ptxas);
        return ptxas;
    }

    private static String run(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("nvcc", "-Werror", "all-warnings"));
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("nvcc is needed to check the generated CUDA (it is installed on every build machine "
                    + "here; on others install the CUDA toolkit): " + e.getMessage(), e);
        }
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + " failed:\n" + log);
        return log;
    }
}
