package dev.strider.samples.cli;

import dev.strider.runtime.data.Dataset;
import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.engine.Kernels;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code predict <network> --weights FILE}: class and probability for test images. */
@Command(name = "predict", description = "Predicts the class of Fashion-MNIST test images with saved weights.")
final class PredictCommand implements Callable<Integer> {
    @Mixin
    CliSupport.Common common;

    @Mixin
    CliSupport.TrainedNetwork trained;

    @Option(names = "--first", defaultValue = "0", description = "Index of the first test image (default: ${DEFAULT-VALUE}).")
    int first;

    @Option(names = "--count", defaultValue = "10", description = "How many images (default: ${DEFAULT-VALUE}).")
    int count;

    @Override
    public Integer call() throws Exception {
        return common.run(() -> {
            GeneratedEngine engine = trained.engine();
            Dataset test = CliSupport.load(common.dataDirectory(), false);
            if (first < 0 || count < 1 || first + count > test.size()) {
                throw new CliSupport.UserError("--first and --count must select images within 0.." + (test.size() - 1)
                        + ", but they ask for " + first + ".." + (first + count - 1));
            }
            int k = engine.outputSize();
            float[] x = new float[engine.inputSize()];
            float[] out = new float[k];
            int right = 0;
            for (int i = first; i < first + count; i++) {
                System.arraycopy(test.images(), i * test.imageSize(), x, 0, x.length);
                engine.forward(x, 1, out);
                Kernels.softmax(out, 0, k, 1); // logits to probabilities
                int best = 0;
                for (int j = 1; j < k; j++) {
                    if (out[j] > out[best]) {
                        best = j;
                    }
                }
                right += best == test.label(i) ? 1 : 0;
                common.out().printf(Locale.ROOT, "%5d  %-12s %6.2f%%   true: %-12s%s%n", i, Dataset.FASHION_MNIST_CLASSES.get(best),
                        100 * out[best], Dataset.FASHION_MNIST_CLASSES.get(test.label(i)), best == test.label(i) ? "" : "   <- wrong");
            }
            common.out().printf(Locale.ROOT, "%d of %d right%n", right, count);
            common.out().flush();
            return 0;
        });
    }
}
