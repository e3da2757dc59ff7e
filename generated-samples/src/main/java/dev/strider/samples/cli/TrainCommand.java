package dev.strider.samples.cli;

import dev.strider.runtime.data.Dataset;
import dev.strider.runtime.cuda.Backend;
import dev.strider.runtime.cuda.CudaUnavailableException;
import dev.strider.runtime.engine.Engine;
import dev.strider.runtime.engine.InitScheme;
import dev.strider.runtime.io.Weights;
import dev.strider.runtime.optim.Adam;
import dev.strider.runtime.optim.LearningRateSchedule;
import dev.strider.runtime.optim.Sgd;
import dev.strider.runtime.optim.StepDecay;
import dev.strider.runtime.progress.ProgressReporter;
import dev.strider.runtime.train.EpochResult;
import dev.strider.runtime.train.Trainer;
import dev.strider.runtime.train.TrainingListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code train <network>}: trains a sample on Fashion-MNIST and prints {@code test_accuracy=<fraction>} last. */
@Command(name = "train", description = "Trains a sample network on Fashion-MNIST; the last line is test_accuracy=<fraction>.")
final class TrainCommand implements Callable<Integer> {
    enum OptimizerKind { sgd, adam }

    @Mixin
    CliSupport.Common common;

    @Parameters(paramLabel = "<network>", description = "The sample to train, e.g. lenet5 or convbn.")
    String network;

    @Option(names = "--epochs", defaultValue = "1", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", description = "Learning rate (default: 0.05 for sgd, 0.001 for adam).")
    Float lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    float momentum;

    @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd or adam (default: ${DEFAULT-VALUE}).")
    OptimizerKind optimizer;

    @Option(names = "--weight-decay", defaultValue = "0", description = "L2 weight decay (default: ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--lr-step", defaultValue = "0", description = "Multiply the learning rate by --lr-gamma every this many epochs (0: never).")
    int lrStep;

    @Option(names = "--lr-gamma", defaultValue = "0.1", description = "Learning-rate decay factor (default: ${DEFAULT-VALUE}).")
    float lrGamma;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of initialisation, shuffling and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--init", defaultValue = "HE_XAVIER", description = "HE_XAVIER or PYTORCH (PyTorch's default "
            + "uniform initialisation, to reproduce a PyTorch recipe) (default: ${DEFAULT-VALUE}).")
    InitScheme init;

    @Option(names = "--save", description = "Write the trained weights here (safetensors).")
    Path save;

    @Option(names = "--backend", defaultValue = "auto", converter = BackendConverter.class, description = "auto (the GPU "
            + "when one is usable, else the Java engine), cpu, or gpu (fails when there is no usable GPU) (default: ${DEFAULT-VALUE}).")
    Backend backend;

    /** {@code auto}, {@code cpu}, {@code gpu} in any case. */
    static final class BackendConverter implements picocli.CommandLine.ITypeConverter<Backend> {
        @Override
        public Backend convert(String value) {
            try {
                return Backend.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Option(names = "--limit", description = "Train on the first N training images only (for quick runs).")
    Integer limit;

    /** Held here: a logger's level lives only as long as someone holds the logger. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("dev.strider");

    @Override
    public Integer call() throws Exception {
        return common.run(() -> {
            var sample = CliSupport.sample(network);
            QUIET.setLevel(java.util.logging.Level.SEVERE);   // the choice is printed below; the library's log would repeat it
            Backend.Choice choice;
            try {
                choice = sample.newEngine(backend);
            } catch (CudaUnavailableException e) {
                throw new CliSupport.UserError("--backend gpu: no usable GPU: " + e.getMessage());
            }
            try (Engine engine = choice.engine()) {
                return train(engine, choice.reason());
            }
        });
    }

    private int train(Engine engine, String backendChoice) throws Exception {
        if (batch < 1 || batch > engine.maxBatch()) {
            throw new CliSupport.UserError("--batch must be between 1 and " + engine.name() + "'s maxBatch = " + engine.maxBatch() + ", but it is " + batch);
        }
        if (epochs < 1) {
            throw new CliSupport.UserError("--epochs must be at least 1, but it is " + epochs);
        }
        Path dir = common.dataDirectory();
        Dataset train = CliSupport.load(dir, true);
        Dataset test = CliSupport.load(dir, false);
        if (limit != null) {
            train = train.slice(0, Math.min(limit, train.size()));
        }
        engine.initialize(seed, init);
        float rate = lr != null ? lr : optimizer == OptimizerKind.sgd ? 0.05f : Adam.DEFAULT_LEARNING_RATE;
        engine.setOptimizer(optimizer == OptimizerKind.sgd
                ? Sgd.builder(rate).momentum(momentum).weightDecay(weightDecay).build()
                : Adam.builder().learningRate(rate).weightDecay(weightDecay).build());
        LearningRateSchedule schedule = lrStep > 0 ? new StepDecay(lrStep, lrGamma) : LearningRateSchedule.constant();
        PrintWriter out = common.out();
        out.printf(Locale.ROOT, "training %s (%,d parameters) on %,d images, testing on %,d: %d epoch%s, batch %d, %s lr %s%n",
                engine.name(), engine.parameters().stream().mapToInt(p -> p.size()).sum(), train.size(), test.size(),
                epochs, epochs == 1 ? "" : "s", batch, optimizer, rate);
        out.println("engine: " + backendChoice);
        out.flush();
        ProgressReporter progress = common.progress();
        List<EpochResult> results = new Trainer(engine, batch, seed, schedule).listener(new TrainingListener() {
            @Override
            public void epochStarted(int epoch, int total, int batches) {
                progress.startEpoch(epoch, total, batches);
            }

            @Override
            public void batchDone(int epoch, int b, int size, float loss, int correct) {
                progress.batch(size, loss, correct);
            }

            @Override
            public void epochDone(EpochResult r) {
                progress.endEpoch();
                out.printf(Locale.ROOT, "epoch %d: test accuracy %.4f, test loss %.4f%n", r.epoch(), r.test().accuracy(), r.test().loss());
                out.flush();
            }
        }).train(train, test, epochs);
        if (save != null) {
            Weights.save(engine, save);
            out.println("saved weights to " + save);
        }
        out.printf(Locale.ROOT, "test_accuracy=%.4f%n", results.get(results.size() - 1).test().accuracy());
        out.flush();
        return 0;
    }
}
