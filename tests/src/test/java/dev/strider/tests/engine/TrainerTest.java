package dev.strider.tests.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.runtime.data.Dataset;
import dev.strider.runtime.optim.Adam;
import dev.strider.runtime.optim.LearningRateSchedule;
import dev.strider.runtime.train.EpochResult;
import dev.strider.runtime.train.Evaluation;
import dev.strider.runtime.train.Trainer;
import dev.strider.runtime.train.TrainingListener;
import dev.strider.tests.engine.nets.GcDropoutEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The training loop on a problem with a known answer: the class is the largest of the first three features. */
class TrainerTest {
    private static Dataset argmaxProblem(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * 6];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 6; j++) {
                x[i * 6 + j] = (float) r.nextGaussian();
            }
            int best = 0;
            for (int j = 1; j < 3; j++) {
                if (x[i * 6 + j] > x[i * 6 + best]) {
                    best = j;
                }
            }
            y[i] = best;
        }
        return new Dataset(x, y, 6, 1, 1, 3);
    }

    @Test
    void learnsAKnownRuleAndReportsEveryBatchOnce() {
        GcDropoutEngine e = new GcDropoutEngine(); // dense 8, sigmoid, dropout, dense 5, leaky relu, dense 3, softmax
        e.initialize(1);
        e.setOptimizer(Adam.builder().learningRate(0.01f).build());
        Dataset train = argmaxProblem(1_001, 1); // 1,001 = 250 batches of 4 and a last batch of 1
        Dataset test = argmaxProblem(500, 2);
        List<Integer> sizes = new ArrayList<>();
        List<EpochResult> results = new Trainer(e, 4, 3, LearningRateSchedule.constant()).listener(new TrainingListener() {
            @Override
            public void batchDone(int epoch, int batch, int size, float loss, int correct) {
                if (epoch == 0) {
                    sizes.add(size);
                }
            }
        }).train(train, test, 8);
        assertEquals(251, sizes.size());
        assertEquals(1, sizes.get(250), "the last, partial batch is trained, not dropped");
        assertEquals(1_001, sizes.stream().mapToInt(Integer::intValue).sum());
        assertTrue(results.get(7).trainLoss() < results.get(0).trainLoss(), "training lowers the loss: " + results);
        assertTrue(results.get(7).test().accuracy() > 0.9, "learned the rule: " + results.get(7));
        assertEquals(false, e.isTraining(), "evaluation restores the engine's mode (evaluation by default)");

        // Trainer.evaluate agrees with the engine's own probabilities
        Evaluation eval = Trainer.evaluate(e, test, 4);
        float[] p = new float[500 * 3];
        for (int from = 0; from < 500; from += 4) {
            float[] x = java.util.Arrays.copyOfRange(test.images(), from * 6, (from + 4) * 6);
            System.arraycopy(e.probabilities(x, 4), 0, p, from * 3, 12);
        }
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < 500; i++) {
            loss -= Math.log(p[i * 3 + test.label(i)]);
            int best = p[i * 3 + 1] > p[i * 3] ? 1 : 0;
            best = p[i * 3 + 2] > p[i * 3 + best] ? 2 : best;
            correct += best == test.label(i) ? 1 : 0;
        }
        assertEquals(correct, eval.correct());
        assertEquals(loss / 500, eval.loss(), 1e-5);
    }
}
