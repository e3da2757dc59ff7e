package dev.strider.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The FMA peak, measured by {@code fma_peak.c} (in this jar) built with the machine's gcc for the machine's vector
 * unit: on one core, and on {@code n} cores at once (n processes, their rates added). The median of three runs.
 */
final class PeakProbe {
    private final Path binary;

    private PeakProbe(Path binary) {
        this.binary = binary;
    }

    /** Builds the probe; null (with the reason printed) when gcc cannot. */
    static PeakProbe build() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("strider-peak");
        Path source = dir.resolve("fma_peak.c");
        try (InputStream in = PeakProbe.class.getResourceAsStream("/fma_peak.c")) {
            Files.copy(in, source);
        }
        Path binary = dir.resolve("fma_peak");
        Process p;
        try {
            p = new ProcessBuilder("gcc", "-O2", "-march=native", "-mprefer-vector-width=512", "-o", binary.toString(), source.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            System.out.println("FMA peak: not measured (no gcc: " + e.getMessage() + ")");
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            System.out.println("FMA peak: not measured (gcc failed: " + out.trim() + ")");
            return null;
        }
        return new PeakProbe(binary);
    }

    /** GFLOP/s of {@code cores} probes running at once, the median of three runs. */
    double gflops(int cores) throws IOException, InterruptedException {
        double[] runs = new double[3];
        for (int r = 0; r < runs.length; r++) {
            List<Process> ps = new ArrayList<>();
            for (int c = 0; c < cores; c++) {
                ps.add(new ProcessBuilder(binary.toString()).redirectErrorStream(true).start());
            }
            for (Process p : ps) {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                p.waitFor();
                runs[r] += Double.parseDouble(out.substring(0, out.indexOf(' ')));
            }
        }
        Arrays.sort(runs);
        return runs[1];
    }
}
