package dev.strider.samples.cli;

import dev.strider.runtime.data.Dataset;
import dev.strider.runtime.engine.Engine;
import dev.strider.runtime.engine.Parameter;
import dev.strider.runtime.io.TensorNames;
import dev.strider.runtime.io.Weights;
import dev.strider.runtime.optim.LearningRateSchedule;
import dev.strider.runtime.optim.Sgd;
import dev.strider.runtime.train.EpochResult;
import dev.strider.runtime.train.Evaluation;
import dev.strider.runtime.train.Trainer;
import dev.strider.samples.FashionFirstHalfEngine;
import dev.strider.samples.FashionSecondHalfEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code transfer}: the transfer-learning recipe on Fashion-MNIST. Trains {@code FashionFirstHalf} (LeNet-5) on
 * classes 0 to 4; loads its backbone by layer name into {@code FashionSecondHalf}, whose head is new and whose
 * backbone is declared {@code @Frozen}; fine-tunes the head on classes 5 to 9; prints the accuracy on classes 5 to 9 before and after, and checks
 * that the frozen weights did not move.
 */
@Command(name = "transfer", description = "Transfer learning: trains LeNet-5 on Fashion-MNIST classes 0-4, freezes its backbone under a new "
        + "head and fine-tunes the head on classes 5-9; the last line is transfer_before=<accuracy> transfer_after=<accuracy>.")
final class TransferCommand implements Callable<Integer> {
    @Mixin
    CliSupport.Common common;

    @Option(names = "--epochs", defaultValue = "1", description = "Epochs for each of the two trainings (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "0.05", description = "SGD learning rate, momentum 0.9 (default: ${DEFAULT-VALUE}).")
    float rate;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the weights and the batch order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--limit", description = "Use the first N training images of each half only (for quick runs).")
    Integer limit;

    @Override
    public Integer call() throws Exception {
        return common.run(() -> {
            Dataset train = CliSupport.load(common.dataDirectory(), true);
            Dataset test = CliSupport.load(common.dataDirectory(), false);
            Dataset firstTrain = first(train.subset(0, 1, 2, 3, 4));
            Dataset secondTrain = first(train.subset(5, 6, 7, 8, 9));
            Dataset firstTest = test.subset(0, 1, 2, 3, 4);
            Dataset secondTest = test.subset(5, 6, 7, 8, 9);

            FashionFirstHalfEngine first = new FashionFirstHalfEngine();
            first.initialize(seed);
            first.setOptimizer(Sgd.builder(rate).momentum(0.9f).build());
            List<EpochResult> firstRun = new Trainer(first, 64, seed, LearningRateSchedule.constant()).train(firstTrain, firstTest, epochs);
            common.out().printf(Locale.ROOT, "FashionFirstHalf trained on classes 0-4 (%,d images, %d epoch%s): test accuracy %.4f on classes 0-4%n",
                    firstTrain.size(), epochs, epochs == 1 ? "" : "s", firstRun.get(firstRun.size() - 1).test().accuracy());

            Path weights = Files.createTempFile("strider-transfer", ".safetensors");
            try {
                Weights.save(first, weights);
                FashionSecondHalfEngine second = new FashionSecondHalfEngine();
                second.initialize(seed + 1);
                Weights.Transfer loaded = Weights.loadMatching(second, weights, TensorNames.STRIDER);
                common.out().println("FashionSecondHalf from its weights: " + loaded.toString().replace("\n", "\n    "));
                // the backbone is @Frozen in FashionSecondHalf's declaration: only the new head learns
                List<float[]> backbone = backbone(second);
                Evaluation before = Trainer.evaluate(second, secondTest, 64);
                common.out().printf(Locale.ROOT, "new head on the frozen backbone, before fine-tuning: accuracy %.4f on classes 5-9%n", before.accuracy());

                second.setOptimizer(Sgd.builder(rate).momentum(0.9f).build());
                new Trainer(second, 64, seed, LearningRateSchedule.constant()).train(secondTrain, secondTest, epochs);
                Evaluation after = Trainer.evaluate(second, secondTest, 64);
                boolean unchanged = Arrays.deepEquals(backbone.toArray(), backbone(second).toArray());
                common.out().printf(Locale.ROOT, "head fine-tuned on classes 5-9 (%,d images, %d epoch%s): accuracy %.4f on classes 5-9; frozen backbone "
                        + "unchanged: %s%n", secondTrain.size(), epochs, epochs == 1 ? "" : "s", after.accuracy(), unchanged);
                common.out().printf(Locale.ROOT, "transfer_before=%.4f transfer_after=%.4f%n", before.accuracy(), after.accuracy());
                common.out().flush();
                return unchanged ? 0 : 1;
            } finally {
                Files.deleteIfExists(weights);
            }
        });
    }

    private Dataset first(Dataset d) {
        return limit == null ? d : d.slice(0, Math.min(limit, d.size()));
    }

    /** Copies of the frozen parameters' values. */
    private static List<float[]> backbone(Engine e) {
        return e.parameters().stream().filter(Parameter::frozen).map(p -> p.data().clone()).toList();
    }
}
