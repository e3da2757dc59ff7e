package dev.strider.runtime.optim;

import dev.strider.runtime.engine.Parameter;
import java.util.List;
import java.util.Objects;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay, with exactly the
 * update of PyTorch's {@code torch.optim.SGD} (dampening 0). For each trainable, unfrozen parameter {@code w} with
 * gradient {@code g}, element-wise:
 *
 * <pre>
 * d = g + weightDecay * w
 * if momentum != 0:
 *     buf = d                       on this parameter's first update
 *     buf = momentum * buf + d      afterwards
 *     d = nesterov ? d + momentum * buf : buf
 * w = w - learningRate * w.learningRateScale() * d
 * </pre>
 *
 * <p>The momentum buffers are allocated on the first {@link #step} for every trainable parameter of the list
 * (frozen ones too, so unfreezing later allocates nothing) and never again. A frozen parameter's buffer starts
 * on its first actual update, as PyTorch's does for a parameter that had no gradient before.
 *
 * <pre>{@code
 * Sgd sgd = Sgd.builder(0.01f).momentum(0.9f).nesterov(true).weightDecay(5e-4f).build();
 * }</pre>
 *
 * <p>Not thread-safe: an optimizer belongs to one engine.
 */
public final class Sgd implements Optimizer {
    private static final String NAME = "Sgd";

    private float learningRate;
    private final float momentum;
    private final boolean nesterov;
    private final float weightDecay;

    private ParameterBinding binding;
    private float[][] buffers;
    private boolean[] started;

    private Sgd(Builder b) {
        this.learningRate = b.learningRate;
        this.momentum = b.momentum;
        this.nesterov = b.nesterov;
        this.weightDecay = b.weightDecay;
    }

    /** A builder for plain SGD at {@code learningRate} (finite, > 0): no momentum, no weight decay. */
    public static Builder builder(float learningRate) {
        return new Builder(learningRate);
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
            float rate = learningRate * p.learningRateScale();
            if (momentum == 0) {
                update(p.data(), g, rate);
            } else {
                updateWithMomentum(p.data(), g, buffers[i], !started[i], rate);
                started[i] = true;
            }
        }
    }

    private void bind(List<Parameter> parameters) {
        ParameterBinding b = new ParameterBinding(NAME, parameters);
        float[][] bufs = new float[b.size()][];
        if (momentum != 0) {
            for (int i = 0; i < bufs.length; i++) {
                if (b.get(i).trainable()) {
                    bufs[i] = new float[b.get(i).size()];
                }
            }
        }
        buffers = bufs;
        started = new boolean[b.size()];
        binding = b;
    }

    private void update(float[] w, float[] g, float rate) {
        float wd = weightDecay;
        for (int j = 0; j < w.length; j++) {
            float d = wd == 0 ? g[j] : g[j] + wd * w[j];
            w[j] -= rate * d;
        }
    }

    private void updateWithMomentum(float[] w, float[] g, float[] buf, boolean first, float rate) {
        float wd = weightDecay;
        float mu = momentum;
        for (int j = 0; j < w.length; j++) {
            float d = wd == 0 ? g[j] : g[j] + wd * w[j];
            float b = first ? d : mu * buf[j] + d;
            buf[j] = b;
            w[j] -= rate * (nesterov ? d + mu * b : b);
        }
    }

    @Override
    public float learningRate() {
        return learningRate;
    }

    @Override
    public void setLearningRate(float learningRate) {
        this.learningRate = Hyper.learningRate(NAME, learningRate);
    }

    /** The momentum factor, in [0, 1); 0 is plain SGD. */
    public float momentum() {
        return momentum;
    }

    /** Whether Nesterov momentum is used. */
    public boolean nesterov() {
        return nesterov;
    }

    /** The L2 weight-decay factor added to the gradient ({@code weightDecay * w}). */
    public float weightDecay() {
        return weightDecay;
    }

    @Override
    public String toString() {
        return "Sgd(lr=" + learningRate + ", momentum=" + momentum + ", nesterov=" + nesterov + ", weightDecay=" + weightDecay + ")";
    }

    /** Builds an {@link Sgd}; every setter validates its value at once. */
    public static final class Builder {
        private final float learningRate;
        private float momentum;
        private boolean nesterov;
        private float weightDecay;

        private Builder(float learningRate) {
            this.learningRate = Hyper.learningRate(NAME, learningRate);
        }

        /** Momentum factor in [0, 1) (default 0). */
        public Builder momentum(float momentum) {
            Hyper.unitInterval(NAME, "momentum", momentum);
            this.momentum = momentum;
            return this;
        }

        /** Nesterov momentum (default false); needs a momentum > 0. */
        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        /** L2 weight decay, finite and >= 0 (default 0). */
        public Builder weightDecay(float weightDecay) {
            Hyper.nonNegative(NAME, "weight decay", weightDecay);
            this.weightDecay = weightDecay;
            return this;
        }

        /** The optimizer; rejects Nesterov without momentum, as PyTorch does. */
        public Sgd build() {
            if (nesterov && momentum == 0) {
                throw new IllegalArgumentException(NAME + ": Nesterov momentum needs momentum > 0 (and dampening 0, as in PyTorch), but momentum is 0.0");
            }
            return new Sgd(this);
        }
    }
}
