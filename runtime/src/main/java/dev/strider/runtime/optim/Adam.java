package dev.strider.runtime.optim;

import dev.strider.runtime.engine.Parameter;
import java.util.List;
import java.util.Objects;

/**
 * Adam, with exactly the update of PyTorch's {@code torch.optim.Adam} (not AMSGrad; weight decay is L2, added to
 * the gradient, not decoupled as in AdamW). For each trainable, unfrozen parameter {@code w} with gradient {@code g},
 * on that parameter's {@code t}-th update ({@code t} counts from 1, per parameter), element-wise:
 *
 * <pre>
 * g = g + weightDecay * w
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g * g
 * w = w - learningRate * w.learningRateScale() * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
 * </pre>
 *
 * As PyTorch does, the bias corrections are computed in double precision and the last line is evaluated as
 * {@code w - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)}, in float.
 *
 * <p>The moment arrays are allocated on the first {@link #step} for every trainable parameter of the list (frozen
 * ones too) and never again.
 *
 * <pre>{@code
 * Adam adam = Adam.builder().learningRate(1e-3f).betas(0.9, 0.999).build();
 * }</pre>
 *
 * <p>Not thread-safe: an optimizer belongs to one engine.
 */
public final class Adam implements Optimizer {
    private static final String NAME = "Adam";

    /** PyTorch's default learning rate, 0.001. */
    public static final float DEFAULT_LEARNING_RATE = 1e-3f;
    /** PyTorch's default decay of the first moment, 0.9. */
    public static final double DEFAULT_BETA1 = 0.9;
    /** PyTorch's default decay of the second moment, 0.999. */
    public static final double DEFAULT_BETA2 = 0.999;
    /** PyTorch's default denominator term, 1e-8. */
    public static final double DEFAULT_EPS = 1e-8;

    private float learningRate;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final float weightDecay;

    private ParameterBinding binding;
    private float[][] m;
    private float[][] v;
    private int[] steps;

    private Adam(Builder b) {
        this.learningRate = b.learningRate;
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
        this.weightDecay = b.weightDecay;
    }

    /** A builder with PyTorch's defaults: learning rate 0.001, betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void prepare(List<Parameter> parameters) {
        Objects.requireNonNull(parameters, "parameters");
        if (binding == null) {
            bind(parameters);
        } else {
            binding.check(parameters);
        }
    }

    @Override
    public void step(List<Parameter> parameters) {
        prepare(parameters);
        for (int i = 0, n = binding.size(); i < n; i++) {
            Parameter p = binding.get(i);
            float[] g = p.grad();
            if (g == null || p.frozen()) {
                continue;
            }
            int t = ++steps[i];
            double correction1 = 1 - Math.pow(beta1, t);
            double correction2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
            float stepSize = (float) ((double) learningRate * p.learningRateScale() / correction1);
            update(p.data(), g, m[i], v[i], stepSize, (float) correction2Sqrt);
        }
    }

    private void update(float[] w, float[] g, float[] mi, float[] vi, float stepSize, float correction2Sqrt) {
        float wd = weightDecay;
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float c1 = (float) (1 - beta1);
        float c2 = (float) (1 - beta2);
        float e = (float) eps;
        for (int j = 0; j < w.length; j++) {
            float gj = wd == 0 ? g[j] : g[j] + wd * w[j];
            float mj = b1 * mi[j] + c1 * gj;
            float vj = b2 * vi[j] + c2 * gj * gj;
            mi[j] = mj;
            vi[j] = vj;
            w[j] -= stepSize * (mj / ((float) Math.sqrt(vj) / correction2Sqrt + e));
        }
    }

    private void bind(List<Parameter> parameters) {
        ParameterBinding b = new ParameterBinding(NAME, parameters);
        float[][] first = new float[b.size()][];
        float[][] second = new float[b.size()][];
        for (int i = 0; i < first.length; i++) {
            if (b.get(i).trainable()) {
                first[i] = new float[b.get(i).size()];
                second[i] = new float[b.get(i).size()];
            }
        }
        m = first;
        v = second;
        steps = new int[b.size()];
        binding = b;
    }

    @Override
    public float learningRate() {
        return learningRate;
    }

    @Override
    public void setLearningRate(float learningRate) {
        this.learningRate = Hyper.learningRate(NAME, learningRate);
    }

    /** Decay of the first moment, in [0, 1). */
    public double beta1() {
        return beta1;
    }

    /** Decay of the second moment, in [0, 1). */
    public double beta2() {
        return beta2;
    }

    /** The term added to the denominator, > 0. */
    public double eps() {
        return eps;
    }

    /** The L2 weight-decay factor added to the gradient. */
    public float weightDecay() {
        return weightDecay;
    }

    @Override
    public String toString() {
        return "Adam(lr=" + learningRate + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", weightDecay=" + weightDecay + ")";
    }

    /** Builds an {@link Adam}; every setter validates its value at once. */
    public static final class Builder {
        private float learningRate = DEFAULT_LEARNING_RATE;
        private double beta1 = DEFAULT_BETA1;
        private double beta2 = DEFAULT_BETA2;
        private double eps = DEFAULT_EPS;
        private float weightDecay;

        private Builder() {}

        /** Learning rate, finite and > 0 (default 0.001). */
        public Builder learningRate(float learningRate) {
            this.learningRate = Hyper.learningRate(NAME, learningRate);
            return this;
        }

        /** Moment decays, each in [0, 1) (default 0.9 and 0.999). */
        public Builder betas(double beta1, double beta2) {
            Hyper.unitInterval(NAME, "beta1", beta1);
            Hyper.unitInterval(NAME, "beta2", beta2);
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /** Denominator term, finite and > 0 (default 1e-8). */
        public Builder eps(double eps) {
            this.eps = Hyper.positive(NAME, "eps", eps);
            return this;
        }

        /** L2 weight decay added to the gradient, finite and >= 0 (default 0). */
        public Builder weightDecay(float weightDecay) {
            Hyper.nonNegative(NAME, "weight decay", weightDecay);
            this.weightDecay = weightDecay;
            return this;
        }

        /** The optimizer. */
        public Adam build() {
            return new Adam(this);
        }
    }
}
