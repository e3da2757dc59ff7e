package dev.strider.samples.cli;

import dev.strider.runtime.data.Dataset;
import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.io.Weights;
import dev.strider.runtime.train.Evaluation;
import dev.strider.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code evaluate <network> --weights FILE}: test accuracy of saved weights. */
@Command(name = "evaluate", description = "Evaluates saved weights on the Fashion-MNIST test set.")
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    CliSupport.Common common;

    @Parameters(paramLabel = "<network>", description = "The sample the weights belong to.")
    String network;

    @Option(names = "--weights", required = true, description = "Weights written by train --save (safetensors).")
    Path weights;

    @Override
    public Integer call() throws Exception {
        return common.run(() -> {
            GeneratedEngine engine = CliSupport.sample(network).newEngine();
            Weights.load(engine, weights);
            Dataset test = CliSupport.load(common.dataDirectory(), false);
            Evaluation e = Trainer.evaluate(engine, test, engine.maxBatch());
            common.out().printf(Locale.ROOT, "%s on %,d test images: accuracy %.4f, loss %.4f%ntest_accuracy=%.4f%n",
                    engine.name(), e.images(), e.accuracy(), e.loss(), e.accuracy());
            common.out().flush();
            return 0;
        });
    }
}
