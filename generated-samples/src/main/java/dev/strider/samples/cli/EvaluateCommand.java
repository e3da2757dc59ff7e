package dev.strider.samples.cli;

import dev.strider.runtime.data.Dataset;
import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.train.Evaluation;
import dev.strider.runtime.train.Trainer;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code evaluate <network> --weights FILE}: test accuracy of saved weights. */
@Command(name = "evaluate", description = "Evaluates saved weights on the Fashion-MNIST test set.")
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    CliSupport.Common common;

    @Mixin
    CliSupport.TrainedNetwork trained;

    @Override
    public Integer call() throws Exception {
        return common.run(() -> {
            GeneratedEngine engine = trained.engine();
            Dataset test = CliSupport.load(common.dataDirectory(), false);
            Evaluation e = Trainer.evaluate(engine, test, engine.maxBatch());
            common.out().printf(Locale.ROOT, "%s on %,d test images: accuracy %.4f, loss %.4f%ntest_accuracy=%.4f%n",
                    engine.name(), e.images(), e.accuracy(), e.loss(), e.accuracy());
            common.out().flush();
            return 0;
        });
    }
}
