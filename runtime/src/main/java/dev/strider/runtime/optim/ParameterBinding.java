package dev.strider.runtime.optim;

import dev.strider.runtime.engine.Parameter;
import java.util.Arrays;
import java.util.List;

/**
 * The parameter list an optimizer was bound to on its first step. Optimizer state is kept per position in that list
 * and belongs to that exact parameter; {@link #check} rejects a later list that differs in length or holds a
 * different tensor at some position (a parameter object rebuilt over the same arrays is accepted). Checking
 * allocates nothing.
 */
final class ParameterBinding {
    private final String owner;
    private final Parameter[] bound;

    ParameterBinding(String owner, List<Parameter> parameters) {
        this.owner = owner;
        this.bound = new Parameter[parameters.size()];
        for (int i = 0; i < bound.length; i++) {
            Parameter p = parameters.get(i);
            if (p == null) {
                throw new IllegalArgumentException(owner + ": parameter " + i + " of " + parameters.size() + " is null");
            }
            bound[i] = p;
        }
    }

    int size() {
        return bound.length;
    }

    Parameter get(int i) {
        return bound[i];
    }

    /** Throws {@link IllegalStateException} naming the first parameter that differs from the bound list. */
    void check(List<Parameter> parameters) {
        int n = parameters.size();
        int common = Math.min(n, bound.length);
        for (int i = 0; i < common; i++) {
            Parameter p = parameters.get(i);
            Parameter b = bound[i];
            if (p == b) {
                continue;
            }
            if (p != null && p.data() == b.data() && p.grad() == b.grad() && Arrays.equals(p.shape(), b.shape())) {
                bound[i] = p; // the same storage under a new Parameter object
                continue;
            }
            throw mismatch("parameter " + i + " is " + p + ", but it was " + b + (p != null && Arrays.equals(p.shape(), b.shape())
                    ? " (same shape, different arrays)" : ""));
        }
        if (n > bound.length) {
            throw mismatch("parameter " + bound.length + " (" + parameters.get(bound.length) + ") is new, the list has " + n);
        }
        if (n < bound.length) {
            throw mismatch("parameter " + n + " (" + bound[n] + ") is missing, the list has " + n);
        }
    }

    private IllegalStateException mismatch(String detail) {
        return new IllegalStateException(owner + " was bound on its first step to " + bound.length + " parameters "
                + Arrays.toString(bound) + "; now " + detail + ". An optimizer keeps state per parameter: use one optimizer per"
                + " engine and always pass it the same parameters()");
    }
}
