package dev.strider.tests.gpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strider.runtime.cuda.CudaEngine;
import dev.strider.runtime.data.DataLocation;
import dev.strider.runtime.data.Dataset;
import dev.strider.runtime.engine.Engine;
import dev.strider.runtime.optim.LearningRateSchedule;
import dev.strider.runtime.optim.Sgd;
import dev.strider.runtime.train.EpochResult;
import dev.strider.runtime.train.Trainer;
import dev.strider.samples.LeNet5Engine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * LeNet-5 trained on Fashion-MNIST by the GPU engine and by the Java engine from the same seed, batches and recipe
 * (SGD, learning rate 0.05, momentum 0.9, batch 64, one epoch) reaches the same test accuracy (within 1 point). On a
 * real GPU: the whole training set and test set, and at least 0.82 (the Java engine's one-epoch figure is 0.85). Over
 * the stand-in driver, which runs every kernel on one CPU thread: the first 2,048 training and 1,000 test images,
 * and at least 0.55.
 */
@Tag("gpu")
class GpuTrainingTest {
    @Test
    void lenet5LearnsFashionMnistOnTheGpuAsOnTheCpu() throws Exception {
        Path dir = data();
        Dataset train = Dataset.fashionMnist(dir, true);
        Dataset test = Dataset.fashionMnist(dir, false);
        boolean real = GpuTestDevices.real();
        if (!real) {
            train = train.slice(0, 2048);
            test = test.slice(0, 1000);
        }
        EpochResult cpu = trainOneEpoch(new LeNet5Engine(), train, test);
        EpochResult gpu;
        try (CudaEngine engine = GpuEngineTest.gpuEngine("dev.strider.samples.LeNet5")) {
            gpu = trainOneEpoch(engine, train, test);
        }
        System.out.printf(Locale.ROOT, "LeNet-5, one epoch on %,d images: test accuracy %.4f on the GPU engine (%,.0f images/s), "
                + "%.4f on the Java engine (%,.0f images/s)%n", train.size(), gpu.test().accuracy(), gpu.imagesPerSecond(),
                cpu.test().accuracy(), cpu.imagesPerSecond());
        double floor = real ? 0.82 : 0.55;
        assertTrue(gpu.test().accuracy() >= floor, "GPU engine accuracy " + gpu.test().accuracy() + " < " + floor);
        assertTrue(Math.abs(gpu.test().accuracy() - cpu.test().accuracy()) <= 0.01,
                "GPU " + gpu.test().accuracy() + " vs Java " + cpu.test().accuracy());
    }

    private static EpochResult trainOneEpoch(Engine engine, Dataset train, Dataset test) {
        engine.initialize(1);
        engine.setOptimizer(Sgd.builder(0.05f).momentum(0.9f).build());
        List<EpochResult> r = new Trainer(engine, 64, 1, LearningRateSchedule.constant()).train(train, test, 1);
        return r.get(0);
    }

    /** Fashion-MNIST: $FASHION_MNIST_DIR, the project's ../shared copy, or Debian's package (.ci/run installs it). */
    static Path data() {
        Path project = Path.of("").toAbsolutePath().getParent();
        for (Path candidate : List.of(project.resolve(DataLocation.SHARED_RELATIVE).normalize(), DataLocation.DEBIAN_DIR)) {
            if (DataLocation.holdsData(candidate)) {
                return candidate;
            }
        }
        try {
            return DataLocation.resolve(null);
        } catch (IOException e) {
            return fail(e.getMessage());
        }
    }
}
