package dev.strider.tests.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Layer (field) names for one network: mostly {@code l00}, {@code l01}, ..., now and then a name that the generated
 * engine might trip over (the name of one of its locals, parameters, inherited members or generated constants, a
 * {@code $}, a non-ASCII letter).
 *
 * <p>No name is a prefix of another. The engine declares members named after each layer plus a suffix
 * ({@code dWeight}, {@code dWeightGrad}), so layers {@code d} and {@code dWeight} would declare {@code dWeightGrad}
 * twice, which is the documented {@code name-clash} error; names that are not prefixes of one another can never
 * collide that way.
 */
final class LayerNames {
    /** Names that look dangerous next to generated code. Not {@code input}: that name is reserved for the network's input. */
    private static final List<String> TRICKY = List.of(
            "output", "batch", "in", "out", "image", "col", "row", "src", "dst", "n", "i", "x", "rng", "name",
            "loss", "training", "weight", "bias", "grad", "forward", "backward", "Out", "MAX_BATCH", "INPUT_SIZE",
            "OUTPUT_SIZE", "runForward", "parameters", "$", "a$b", "π", "größe", "_x", "CONV", "super_", "this_", "Layer",
            "Conv", "Engine", "Spec", "java", "dev");

    private final SplittableRandom r;
    private final List<String> used = new ArrayList<>();

    LayerNames(SplittableRandom r) {
        this.r = r;
    }

    String next() {
        if (r.nextInt(8) == 0) {
            String tricky = TRICKY.get(r.nextInt(TRICKY.size()));
            if (fits(tricky)) {
                used.add(tricky);
                return tricky;
            }
        }
        for (int i = used.size(); ; i++) {
            String plain = String.format("l%02d", i);
            if (fits(plain)) {
                used.add(plain);
                return plain;
            }
        }
    }

    private boolean fits(String candidate) {
        return used.stream().noneMatch(u -> u.startsWith(candidate) || candidate.startsWith(u));
    }
}
