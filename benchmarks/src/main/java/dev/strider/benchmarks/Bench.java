package dev.strider.benchmarks;

import dev.strider.runtime.engine.Kernels;
import dev.strider.samples.LeNet5Spec;
import dev.strider.samples.ResNet18Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark runner: the FMA peak probe, then Strider's engines and ONNX Runtime on the same models, weights and
 * inputs (checked to agree before timing), under JMH; prints the medians with their spread, the ratios, and the
 * achieved GFLOP/s as a fraction of the measured peak, as the Markdown table the README quotes, and what each engine
 * holds in memory ({@link Memory}).
 */
@Command(name = "strider-benchmarks", mixinStandardHelpOptions = true,
        description = "Runs the JMH benchmarks of Strider's engines against ONNX Runtime and prints the README's table.")
public final class Bench implements Callable<Integer> {
    @Option(names = "--forks", defaultValue = "3", description = "JMH forks per benchmark (default: ${DEFAULT-VALUE}).")
    int forks;

    @Option(names = "--warmup", defaultValue = "3", description = "Warm-up iterations of 1 s per fork (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iterations", defaultValue = "5", description = "Measured iterations of 1 s per fork (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--include", defaultValue = "LeNet5Inference|LeNet5Training|ResNet18Inference",
            description = "Benchmarks to run, a regular expression over class names (default: all).")
    String include;

    @Option(names = "--pytorch", description = "Also time PyTorch on the same weights and inputs (needs torch and torchvision for --python).")
    boolean pytorch;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "The Python with PyTorch (default: ${DEFAULT-VALUE}, Debian's).")
    String python;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    /** A benchmark's median and range, in its own unit per call (JMH average time). */
    record Timing(double median, double min, double max) {}

    @Override
    public Integer call() throws Exception {
        PeakProbe probe = PeakProbe.build();
        double[] peak = probe == null ? new double[] {Double.NaN, Double.NaN} : new double[] {probe.gflops(1), probe.gflops(2)};
        System.out.printf(Locale.ROOT, "FMA peak: %.0f GFLOP/s on one core, %.0f on two%n", peak[0], peak[1]);
        String memory = Memory.measured();
        Map<String, Timing> torch = pytorch ? PyTorchPeer.run(python) : Map.of();
        ChainedOptionsBuilder o = new OptionsBuilder().include("dev\\.strider\\.benchmarks\\.(" + include + ")\\.")
                .forks(forks).warmupIterations(warmup).warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(1));
        Collection<RunResult> results = new Runner(o.build()).run();
        Map<String, Timing> t = new HashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replace("dev.strider.benchmarks.", "");
            String batch = r.getParams().getParam("batch");
            Statistics s = r.getPrimaryResult().getStatistics();
            t.put(batch == null ? name : name + "@" + batch, new Timing(s.getPercentile(50), s.getMin(), s.getMax()));
        }
        System.out.println();
        t.putAll(torch);
        System.out.println(table(t, peak[0], peak[1]));
        System.out.println(memory);
        return 0;
    }

    static String table(Map<String, Timing> t, double peak1, double peak2) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Measured %s on %s (%d cores visible to the JVM), Java %s; medians of %s; [min-max] over every measured iteration.%n%n",
                LocalDate.now(), cpu(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                "JMH iterations"));
        List<String[]> rows = new ArrayList<>();
        // Strider runs twice: on one thread (strider.threads=1) and on strider.threads threads (batches and large
        // products); each is compared with the peers on as many threads, its GFLOP/s with the peak of as many cores
        int threads = Kernels.threads();
        double striderPeak = threads >= 2 ? peak2 : peak1;
        String striderCores = threads >= 2 ? "2-core" : "1-core";
        Timing sN = t.get("LeNet5Inference.strider@1");
        if (sN != null) {
            rows.add(latencyRow(t, "LeNet-5 inference, batch 1: latency", "LeNet5Inference", "@1", "lenet5_infer_b1", Bench::us, Bench::us,
                "0.5", ""));
        }
        Timing s64 = t.get("LeNet5Inference.strider@64");
        Timing s64one = t.get("LeNet5Inference.striderOneThread@64");
        if (s64 != null) {
            Timing o1 = t.get("LeNet5Inference.onnxRuntime1Thread@64");
            Timing o2 = t.get("LeNet5Inference.onnxRuntime2Threads@64");
            rows.add(new String[] {"LeNet-5 inference, batch 64: throughput", images(s64one, 64) + " / " + images(s64, 64),
                images(o1, 64) + " / " + images(o2, 64), ratio(o1, s64one) + " / " + ratio(o2, s64),
                images(t.get("torch.lenet5_infer_b64_t1"), 64) + " / " + images(t.get("torch.lenet5_infer_b64_t2"), 64),
                "ratio: Strider's throughput / ONNX Runtime's, on 1 / 2 threads each (target >= 1); Strider "
                    + ofPeak(2.0 * LeNet5Spec.MACS * 64, s64one, 1e-6, peak1, "1-core") + ", "
                    + ofPeak(2.0 * LeNet5Spec.MACS * 64, s64, 1e-6, striderPeak, striderCores)});
        }
        Timing train = t.get("LeNet5Training.strider");
        Timing trainOne = t.get("LeNet5Training.striderOneThread");
        if (train != null) {
            Timing py1 = t.get("torch.lenet5_train_b64_t1");
            Timing py2 = t.get("torch.lenet5_train_b64_t2");
            rows.add(new String[] {"LeNet-5 training, batch 64: throughput", images(trainOne, 64) + " / " + images(train, 64), "",
                ratio(py1, trainOne) + " / " + ratio(py2, train), images(py1, 64) + " / " + images(py2, 64),
                "ratio: Strider's images/s / PyTorch's, on 1 / 2 threads each (target >= 2); SGD with momentum, softmax cross-entropy"});
        }
        Timing r = t.get("ResNet18Inference.strider");
        Timing rOne = t.get("ResNet18Inference.striderOneThread");
        if (r != null) {
            Timing o1 = t.get("ResNet18Inference.onnxRuntime1Thread");
            Timing o2 = t.get("ResNet18Inference.onnxRuntime2Threads");
            rows.add(latencyRow(t, "ResNet-18 inference, batch 1: latency", "ResNet18Inference", "", "resnet18_infer_b1", Bench::ms,
                Bench::msFromUs, "1.2", "; Strider "
                    + ofPeak(2.0 * ResNet18Spec.MACS, rOne, 1e-3, peak1, "1-core") + ", "
                    + ofPeak(2.0 * ResNet18Spec.MACS, r, 1e-3, striderPeak, striderCores) + "; ONNX Runtime "
                    + ofPeak(2.0 * ResNet18Spec.MACS, o1, 1e-3, peak1, "1-core") + ", "
                    + ofPeak(2.0 * ResNet18Spec.MACS, o2, 1e-3, peak2, "2-core")));
        }
        out.append("| workload | Strider (1 / " + threads + " threads) | ONNX Runtime 1.22 (1 / 2 threads) | ratio | PyTorch (1 / 2 threads) | notes |\n"
                + "|---|---|---|---|---|---|\n");
        for (String[] row : rows) {
            out.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        out.append(String.format(Locale.ROOT, "%nFMA peak (fma_peak.c, gcc -O2 -march=native): %.0f GFLOP/s on one core, %.0f on two.%n",
                peak1, peak2));
        return out.toString();
    }


    /**
     * A latency row: Strider on one thread and on its workers ({@code <benchmark>.striderOneThread<suffix>},
     * {@code .strider<suffix>}) and ONNX Runtime on 1 and 2 threads, shown by {@code show}; PyTorch's
     * {@code torch.<torch>_t1/_t2}, shown by {@code showTorch}; each ratio against the peer on as many threads, then the
     * target and {@code more} notes.
     */
    private static String[] latencyRow(Map<String, Timing> t, String workload, String benchmark, String suffix, String torch,
                                       Function<Timing, String> show, Function<Timing, String> showTorch, String target, String more) {
        Timing one = t.get(benchmark + ".striderOneThread" + suffix);
        Timing many = t.get(benchmark + ".strider" + suffix);
        Timing o1 = t.get(benchmark + ".onnxRuntime1Thread" + suffix);
        Timing o2 = t.get(benchmark + ".onnxRuntime2Threads" + suffix);
        return new String[] {workload, show.apply(one) + " / " + show.apply(many), show.apply(o1) + " / " + show.apply(o2),
            ratio(one, o1) + " / " + ratio(many, o2),
            showTorch.apply(t.get("torch." + torch + "_t1")) + " / " + showTorch.apply(t.get("torch." + torch + "_t2")),
            "ratio: Strider's latency / ONNX Runtime's, on 1 / 2 threads each (target <= " + target + ")" + more};
    }

    private static String ratio(Timing a, Timing b) {
        return a == null || b == null ? "-" : String.format(Locale.ROOT, "%.2fx", a.median() / b.median());
    }

    private static String msFromUs(Timing t) {
        return t == null ? "-" : String.format(Locale.ROOT, "%.2f ms [%.2f-%.2f]", t.median() / 1e3, t.min() / 1e3, t.max() / 1e3);
    }

    private static String us(Timing t) {
        return t == null ? "-" : String.format(Locale.ROOT, "%.1f µs [%.1f-%.1f]", t.median(), t.min(), t.max());
    }

    private static String ms(Timing t) {
        return t == null ? "-" : String.format(Locale.ROOT, "%.2f ms [%.2f-%.2f]", t.median(), t.min(), t.max());
    }

    /** Images per second from microseconds per batch. */
    private static String images(Timing t, int batch) {
        return t == null ? "-" : String.format(Locale.ROOT, "%,.0f images/s [%,.0f-%,.0f]", batch / (t.median() * 1e-6),
                batch / (t.max() * 1e-6), batch / (t.min() * 1e-6));
    }

    /** GFLOP/s from {@code flops} per operation and a timing in {@code unit} seconds (1e-6: microseconds) per operation. */
    private static String ofPeak(double flops, Timing t, double unit, double peak, String cores) {
        if (t == null) {
            return "-";
        }
        double g = flops / (t.median() * unit) / 1e9;
        return Double.isNaN(peak) ? String.format(Locale.ROOT, "%.1f GFLOP/s", g)
                : String.format(Locale.ROOT, "%.1f GFLOP/s = %.0f%% of the %s peak", g, 100 * g / peak, cores);
    }

    private static String cpu() throws IOException {
        Path info = Path.of("/proc/cpuinfo");
        if (Files.exists(info)) {
            for (String line : Files.readAllLines(info)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        return System.getProperty("os.arch");
    }
}
