package dev.strider.runtime.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Which parts of the backward pass a step of training needs, from which parameters are frozen: a layer's backward
 * runs only when its output gradient is needed (the layer, or a layer before it, has a parameter that is not frozen,
 * or the caller asked for d loss / d input), and it computes its parameters' gradients only when one of them is not
 * frozen. A frozen backbone under a trainable head therefore costs no backward work at all, and a frozen layer
 * between trainable ones passes the gradient through without computing its own weight gradient.
 *
 * <p>Both engine backends register their layer graph here (the generated constructor calls
 * {@link EngineBase#step} for every layer, then registers that layer's parameters) and ask it before each backward
 * pass. A parameter whose gradient stops being computed has it set to zero once, so {@link Parameter#grad()} of a
 * frozen layer reads zeros rather than a stale gradient. One exception: a frozen batch norm whose backward runs (a
 * layer before it trains) still stores d gamma and d beta, because they are the sums its d input is made of.
 */
public final class BackwardPlan {
    private final List<String> names = new ArrayList<>();
    private final List<int[]> inputs = new ArrayList<>();
    private final List<Integer> owners = new ArrayList<>();
    private boolean[] runs = new boolean[0];
    private boolean[] params = new boolean[0];
    /** Per parameter: its gradient was set to zero after it stopped being computed (and has not been computed since). */
    private boolean[] zeroed = new boolean[0];
    private String signature;

    /**
     * Registers the next layer (in forward order) and the layers its inputs come from: their indices in this order,
     * or -1 for the network's input.
     */
    void step(String name, int... from) {
        int self = names.size();
        for (int f : from) {
            if (f < -1 || f >= self) {
                throw new IllegalArgumentException("layer " + name + " (step " + self + ") takes step " + f + ", which is not before it");
            }
        }
        names.add(name);
        inputs.add(from.clone());
    }

    /** How many layers are registered. */
    int size() {
        return names.size();
    }

    /** Registers the next trainable parameter as belonging to the last registered layer. */
    void parameter() {
        owners.add(names.size() - 1);
    }

    /**
     * Decides the next backward pass from the parameters' frozen flags and whether d loss / d input is wanted, and
     * calls {@code zeroGrad} with the index of each parameter whose gradient is no longer computed (once, until it is
     * computed again). Returns a short signature of the decision (for caching recorded launch sequences).
     */
    String update(List<Parameter> parameters, boolean inputGrad, IntConsumer zeroGrad) {
        int n = names.size();
        if (runs.length != n) {
            runs = new boolean[n];
            params = new boolean[n];
            signature = null;
        }
        if (zeroed.length != parameters.size()) {
            zeroed = new boolean[parameters.size()];
        }
        // no allocation here: it runs on every backward pass (the engines allocate nothing per call)
        boolean changed = false;
        for (int s = 0; s < n; s++) {
            boolean trains = false;
            for (int p = first(s); p < owners.size() && p < parameters.size() && owners.get(p) == s; p++) {
                trains |= !parameters.get(p).frozen();
            }
            boolean need = trains;
            for (int f : inputs.get(s)) {
                need |= f < 0 ? inputGrad : runs[f];
            }
            changed |= runs[s] != need || params[s] != trains;
            runs[s] = need;
            params[s] = trains;
        }
        for (int p = 0; p < parameters.size() && p < owners.size(); p++) {
            boolean computed = params[owners.get(p)];
            if (!computed && !zeroed[p]) {
                zeroGrad.accept(p);
                zeroed[p] = true;
            } else if (computed) {
                zeroed[p] = false;
            }
        }
        if (changed || signature == null) {
            StringBuilder sig = new StringBuilder(n);
            for (int s = 0; s < n; s++) {
                sig.append(!runs[s] ? '-' : params[s] ? 'P' : 'g');
            }
            signature = sig.toString();
        }
        return signature;
    }

    /** The index of layer {@code step}'s first parameter (parameters are registered in layer order). */
    private int first(int step) {
        if (firstParameter.length != names.size()) {
            firstParameter = new int[names.size()];
            int p = 0;
            for (int s = 0; s < names.size(); s++) {
                while (p < owners.size() && owners.get(p) < s) {
                    p++;
                }
                firstParameter[s] = p;
            }
        }
        return firstParameter[step];
    }

    private int[] firstParameter = new int[0];

    /** Whether layer {@code step}'s backward runs in the pass decided last (its output gradient is needed). */
    public boolean runs(int step) {
        return runs[step];
    }

    /** Whether layer {@code step} computes its parameters' gradients in the pass decided last. */
    public boolean parameters(int step) {
        return params[step];
    }

    /** Whether layer {@code step}'s output gradient was computed in the last pass (false for a layer that never ran). */
    /** Whether parameter {@code p}'s gradient is computed by the pass decided last (its layer's parameters are). */
    boolean parameterComputed(int p) {
        return params[owners.get(p)];
    }

    boolean computed(int step) {
        return step < runs.length && runs[step];
    }

    /**
     * One letter per layer for the pass decided last: {@code P} computes parameter gradients, {@code g} only passes the
     * gradient on, {@code -} is skipped.
     */
    public String signature() {
        return signature == null ? "" : signature;
    }
}
