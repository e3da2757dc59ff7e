package dev.strider.samples.cli;

import dev.strider.runtime.data.DataLocation;
import dev.strider.runtime.data.Dataset;
import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.io.Weights;
import dev.strider.runtime.progress.ProgressReporter;
import dev.strider.samples.Samples;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** What the commands share: data location, quiet mode, and turning every expected failure into one clear line. */
final class CliSupport {
    private CliSupport() {}

    /** A failure the user can fix: printed as one line, exit code 2, no stack trace. */
    static final class UserError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UserError(String message) {
            super(message);
        }
    }

    static Samples sample(String name) {
        return Samples.byName(name).orElseThrow(() -> new UserError(
                "Unknown network '" + name + "'. Known networks: " + String.join(", ", Samples.names()) + "."));
    }

    /** Fashion-MNIST with pixels scaled to [0, 1], as torchvision's {@code ToTensor} gives them to PyTorch. */
    static Dataset load(Path dir, boolean train) {
        try {
            return Dataset.fashionMnist(dir, train);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code <network> --weights FILE}: a sample's engine with saved weights (evaluate, predict). */
    static final class TrainedNetwork {
        @Parameters(paramLabel = "<network>", description = "The sample the weights belong to.")
        String network;

        @Option(names = "--weights", required = true, description = "Weights written by train --save (safetensors).")
        Path weights;

        GeneratedEngine engine() throws IOException {
            GeneratedEngine engine = sample(network).newEngine();
            Weights.load(engine, weights);
            return engine;
        }
    }

    /** Options every data command takes. */
    static final class Common {
        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;

        @Option(names = "--data", description = "Directory with the Fashion-MNIST IDX files (else $FASHION_MNIST_DIR, "
                + "../shared/datasets/fashion-mnist, or Debian's dataset-fashion-mnist).")
        String data;

        @Option(names = {"-q", "--quiet"}, description = "No live progress line (per-epoch lines are still printed).")
        boolean quiet;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        Path dataDirectory() {
            try {
                return DataLocation.resolve(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        ProgressReporter progress() {
            return ProgressReporter.console(quiet);
        }

        /** Runs {@code body}; an expected failure becomes one line on standard error and exit code 2. */
        int run(Callable<Integer> body) throws Exception {
            try {
                return body.call();
            } catch (UserError e) {
                return fail(e.getMessage());
            } catch (UncheckedIOException e) {
                return fail(e.getCause().getMessage());
            } catch (IOException | IllegalArgumentException | IllegalStateException | ArithmeticException e) {
                return fail(e.getMessage());
            }
        }

        private int fail(String message) {
            spec.commandLine().getErr().println("error: " + message);
            spec.commandLine().getErr().flush();
            return 2;
        }
    }
}
