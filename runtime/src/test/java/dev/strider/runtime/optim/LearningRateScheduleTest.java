package dev.strider.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    @Test
    void stepDecayHalvesEveryThreeEpochs() {
        LearningRateSchedule s = LearningRateSchedule.stepDecay(3, 0.5f);
        float[] expected = {0.2f, 0.2f, 0.2f, 0.1f, 0.1f, 0.1f, 0.05f, 0.05f, 0.05f, 0.025f};
        for (int epoch = 0; epoch < expected.length; epoch++) {
            assertEquals(expected[epoch], s.rate(epoch, 0.2f), "epoch " + epoch);
        }
    }

    @Test
    void stepDecayByATenth() {
        StepDecay s = new StepDecay(5, 0.1f);
        assertEquals(0.1f, s.rate(4, 0.1f));
        assertEquals(0.01, s.rate(5, 0.1f), 1e-9);
        assertEquals(0.001, s.rate(10, 0.1f), 1e-10);
        assertEquals(0.001, s.rate(14, 0.1f), 1e-10);
    }

    @Test
    void constantAndApply() {
        LearningRateSchedule c = LearningRateSchedule.constant();
        assertEquals(0.3f, c.rate(0, 0.3f));
        assertEquals(0.3f, c.rate(1000, 0.3f));
        Sgd sgd = Sgd.builder(1f).build();
        new StepDecay(2, 0.5f).apply(sgd, 4, 0.8f);
        assertEquals(0.2f, sgd.learningRate());
    }

    @Test
    void rejectsInvalidArguments() {
        assertEquals("StepDecay stepEpochs must be >= 1, but it is 0",
                assertThrows(IllegalArgumentException.class, () -> new StepDecay(0, 0.5f)).getMessage());
        assertEquals("StepDecay gamma must be finite and > 0, but it is 0.0",
                assertThrows(IllegalArgumentException.class, () -> new StepDecay(1, 0f)).getMessage());
        assertEquals("epochs count from 0, but epoch is -1",
                assertThrows(IllegalArgumentException.class, () -> new StepDecay(1, 0.5f).rate(-1, 1f)).getMessage());
        assertEquals("epochs count from 0, but epoch is -2",
                assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.constant().rate(-2, 1f)).getMessage());
    }
}
