package dev.strider.benchmarks;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.onnx.OnnxExport;
import dev.strider.samples.LeNet5Engine;
import dev.strider.samples.LeNet5ServingEngine;
import dev.strider.samples.ResNet18Engine;
import dev.strider.samples.ResNet18ServingEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What each engine holds, measured in the runner's JVM: the Java heap a Strider engine takes once made (every array it
 * allocates up front) and once it has run a forward pass at its largest batch (with the scratch its kernels keep per
 * thread; a warm engine allocates nothing more, so this is its peak), and the resident memory an ONNX Runtime session
 * of the same model adds to the process (native, outside the heap) when made and after its first run at that batch.
 * The engines that train and their inference-only twins (the serving samples) share an ONNX model.
 */
public final class Memory {
    private Memory() {}

    /** Prints {@link #table()}: the runner calls this in a JVM of its own, with the vector kernels ({@link #measured()}). */
    public static void main(String[] args) throws OrtException, IOException {
        System.out.print(table());
    }

    /**
     * {@link #table()} measured in a child JVM started as the timed forks are ({@code --add-modules
     * jdk.incubator.vector}): the runner's own JVM runs the scalar kernels, whose engines keep no packed weights.
     */
    static String measured() throws IOException, InterruptedException {
        String launcher = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(launcher, "--add-modules=jdk.incubator.vector", "-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"),
                Memory.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        int exit = p.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("the memory measurement's JVM exited with " + exit);
        }
        return out;
    }

    static String table() throws OrtException, IOException {
        ai.onnxruntime.OrtEnvironment.getEnvironment();   // its native library is loaded once, outside the measurements
        StringBuilder out = new StringBuilder();
        out.append("| memory | Strider engine (Java heap: made / after a forward pass at max batch) "
                + "| ONNX Runtime session, 1 thread (resident memory added: made / after a run at max batch) |\n|---|---|---|\n");
        out.append(row("LeNet-5, inference-only engine (LeNet5Serving), batches up to 64", LeNet5ServingEngine::new, true));
        out.append(row("LeNet-5, engine that trains (LeNet5), batches up to 64", LeNet5Engine::new, false));
        out.append(row("ResNet-18, inference-only engine (ResNet18Serving), batches up to 2", ResNet18ServingEngine::new, true));
        out.append(row("ResNet-18, engine that trains (ResNet18), batches up to 2", ResNet18Engine::new, false));
        return out.toString();
    }

    private static String row(String what, Supplier<GeneratedEngine> make, boolean withPeer) throws OrtException, IOException {
        long before = heap();
        GeneratedEngine engine = make.get();
        long made = heap() - before;
        engine.initialize(1);
        int batch = engine.maxBatch();
        float[] input = Peers.input(batch * engine.inputSize(), 3);
        float[] out = new float[batch * engine.outputSize()];
        engine.forward(input, batch, out);
        long ran = heap() - before;
        String peer = "same model as above";
        if (withPeer) {
            long rss = resident();
            try (OrtSession session = Peers.session(engine, 1)) {
                long sessionMade = resident() - rss;
                List<Long> chw = OnnxExport.reportOf(engine).input();
                Peers.run(session, Peers.direct(input), new long[] {batch, chw.get(0), chw.get(1), chw.get(2)}, out);
                long sessionRan = resident() - rss;
                peer = rss < 0 ? "-" : String.format(Locale.ROOT, "%.1f / %.1f MB", sessionMade / 1e6, sessionRan / 1e6);
            }
        }
        return String.format(Locale.ROOT, "| %s | %.1f / %.1f MB | %s |%n", what, made / 1e6, ran / 1e6, peer);
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
