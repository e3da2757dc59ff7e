package dev.strider.runtime.optim;

/** Validation of hyper-parameters, shared by the optimizers' builders: one precise message per rule. */
final class Hyper {
    private Hyper() {}

    static float learningRate(String owner, float lr) {
        if (!(lr > 0) || Float.isInfinite(lr)) {
            throw new IllegalArgumentException(owner + " learning rate must be finite and > 0, but it is " + lr);
        }
        return lr;
    }

    /** A value in [0, 1). */
    static double unitInterval(String owner, String what, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(owner + " " + what + " must be in [0, 1), but it is " + value);
        }
        return value;
    }

    static double nonNegative(String owner, String what, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(owner + " " + what + " must be finite and >= 0, but it is " + value);
        }
        return value;
    }

    static double positive(String owner, String what, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(owner + " " + what + " must be finite and > 0, but it is " + value);
        }
        return value;
    }
}
