package dev.strider.benchmarks;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.samples.LeNet5Engine;
import dev.strider.samples.ResNet18Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What each engine holds, measured in the runner's JVM: the Java heap a Strider engine takes (every array it
 * allocates up front: weights, gradients, activations for its largest batch, scratch), and the resident memory an
 * ONNX Runtime session of the same model adds to the process (native, outside the heap; before its first run).
 */
final class Memory {
    private Memory() {}

    static String table() throws OrtException, IOException {
        ai.onnxruntime.OrtEnvironment.getEnvironment();   // its native library is loaded once, outside the measurements
        StringBuilder out = new StringBuilder();
        out.append("| memory | Strider engine (Java heap) | ONNX Runtime session, 1 thread (resident memory added) |\n|---|---|---|\n");
        out.append(row("LeNet-5, engine for batches up to 64", LeNet5Engine::new));
        out.append(row("ResNet-18, engine for batches up to 2", ResNet18Engine::new));
        return out.toString();
    }

    private static String row(String what, Supplier<GeneratedEngine> make) throws OrtException, IOException {
        long before = heap();
        GeneratedEngine engine = make.get();
        long strider = heap() - before;
        engine.initialize(1);
        long rss = resident();
        long ort;
        try (OrtSession session = Peers.session(engine, 1)) {
            ort = resident() - rss;
        }
        return String.format(Locale.ROOT, "| %s | %.1f MB | %s |%n", what, strider / 1e6, ort < 0 ? "-" : String.format(Locale.ROOT, "%.1f MB", ort / 1e6));
    }

    private static long heap() {
        Runtime r = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return r.totalMemory() - r.freeMemory();
    }

    /** The process's resident set size from /proc (Linux), or -1. */
    private static long resident() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
