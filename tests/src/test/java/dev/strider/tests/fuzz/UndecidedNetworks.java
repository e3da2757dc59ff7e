package dev.strider.tests.fuzz;

import dev.strider.dsl.Activation;
import dev.strider.dsl.Rounding;
import dev.strider.tests.fuzz.Declaration.Category;
import dev.strider.tests.fuzz.Declaration.EngineSpec;
import dev.strider.tests.fuzz.JavaSource.Annotation;
import dev.strider.tests.fuzz.JavaSource.Block;
import dev.strider.tests.fuzz.JavaSource.Field;
import java.util.List;
import java.util.SplittableRandom;
import java.util.StringJoiner;

/**
 * Networks whose validity the generator does not decide: random layer kinds in a random order with random values,
 * mostly small and now and then absurd (zero, negative, {@code Integer.MAX_VALUE}, {@code Integer.MIN_VALUE} (which
 * is {@code Padding.SAME} as a padding), a pair of three values, NaN). Every value is type-correct, so javac itself has
 * nothing to reject: whatever happens is the processor's doing. The oracle: no crash and no internal error; either
 * {@code [strider/...]} errors in this file, or a clean compile whose engine runs with finite results.
 */
final class UndecidedNetworks {
    private static final long[] ABSURD_COUNTS = {0, -1, 100, 65536, 1 << 24, (1 << 24) + 1, Integer.MAX_VALUE, Integer.MIN_VALUE};
    private static final long[] ABSURD_WINDOWS = {0, -2, 1000, 65536, 65537, Integer.MAX_VALUE, Integer.MIN_VALUE};
    private static final long[] ABSURD_SIZES = {0, -1, 4096, 1 << 20, (1 << 20) + 1, Integer.MAX_VALUE};
    private static final double[] ABSURD_REALS = {-0.5, 1, 1.5, Double.NaN, Double.POSITIVE_INFINITY, 1e-300};
    private static final List<String> KINDS = List.of("Conv", "MaxPool", "AvgPool", "GlobalAvgPool", "Dense", "Flatten",
            "Dropout", "BatchNorm", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax");

    private final SplittableRandom r;
    private final Literals literals;

    UndecidedNetworks(SplittableRandom r) {
        this.r = r;
        this.literals = new Literals(r);
    }

    Declaration generate(int index) {
        String name = String.format("Fz%05d", index);
        int maxBatch = (int) count(1, 8, ABSURD_SIZES);
        Annotation network = new Annotation("Network").with("maxBatch", literals.integer(maxBatch));
        boolean mse = r.nextInt(6) == 0;
        if (mse || r.nextInt(6) == 0) {
            network.with("loss", mse ? "Loss.MEAN_SQUARED_ERROR" : "Loss.SOFTMAX_CROSS_ENTROPY");
        }
        if (r.nextInt(3) == 0) {
            network.with("rounding", "Rounding." + pick(Rounding.values()));
        }
        if (r.nextInt(10) == 0) {
            network.with("expectParams", r.nextInt(5) == 0 ? "-7" : Integer.toString(r.nextInt(500)));
        }
        long c = count(1, 4, ABSURD_SIZES);
        long h = count(1, 16, ABSURD_SIZES);
        long w = r.nextBoolean() ? h : count(1, 16, ABSURD_SIZES);
        Annotation input = new Annotation("Input").with("channels", literals.integer(c))
                .with("height", literals.integer(h)).with("width", literals.integer(w));
        Block type = Block.type("abstract class " + name);
        type.annotations.add(network);
        if (r.nextInt(20) != 0) {
            type.annotations.add(input);
        }
        LayerNames names = new LayerNames(r);
        StringJoiner kinds = new StringJoiner(", ");
        int layers = 1 + r.nextInt(6);
        for (int i = 0; i < layers; i++) {
            String kind = KINDS.get(r.nextInt(KINDS.size()));
            kinds.add(kind);
            type.add(new Field(names.next(), layer(kind)));
        }
        JavaSource.File file = new JavaSource.File("fuzz", name).add(type);
        boolean validInput = c >= 1 && h >= 1 && w >= 1 && c * h * w <= Integer.MAX_VALUE;
        EngineSpec engine = new EngineSpec("fuzz." + name + "Engine", validInput ? c * h * w : -1, -1, -1, -1, -1, maxBatch,
                mse, false);
        return new Declaration(index, file.qualifiedName(), file.render(), Category.UNDECIDED, "random: " + kinds,
                List.of(), List.of(), engine, false);
    }

    private Annotation layer(String kind) {
        Annotation a = new Annotation(kind);
        switch (kind) {
            case "Conv" -> {
                a.with("filters", literals.integer(count(1, 6, ABSURD_COUNTS))).with("kernel", pair(1, 4));
                maybe(a, "stride", this::stridePair);
                maybe(a, "padding", this::padding);
                maybe(a, "dilation", () -> pair(1, 2));
                maybe(a, "groups", () -> literals.integer(r.nextBoolean() ? 1 : count(1, 4, ABSURD_COUNTS)));
                maybe(a, "bias", r::nextBoolean);
                fused(a);
                maybe(a, "rounding", () -> "Rounding." + pick(Rounding.values()));
            }
            case "MaxPool", "AvgPool" -> {
                a.with("window", pair(1, 4));
                maybe(a, "stride", this::stridePair);
                maybe(a, "padding", this::padding);
                maybe(a, "rounding", () -> "Rounding." + pick(Rounding.values()));
                if (kind.equals("AvgPool")) {
                    maybe(a, "countPadding", r::nextBoolean);
                }
            }
            case "Dense" -> {
                a.with("units", literals.integer(count(1, 6, ABSURD_COUNTS)));
                maybe(a, "bias", r::nextBoolean);
                fused(a);
            }
            case "Dropout" -> a.with("rate", real(0, 0.95));
            case "BatchNorm" -> {
                maybe(a, "epsilon", () -> real(1e-5, 0.5));
                maybe(a, "momentum", () -> real(0, 1));
            }
            case "LeakyReLU" -> maybe(a, "slope", () -> real(0, 0.99));
            default -> { }
        }
        return a;
    }

    private void fused(Annotation a) {
        maybe(a, "activation", () -> "Activation." + pick(Activation.values()));
        maybe(a, "slope", () -> real(0, 0.99));
    }

    /** Adds {@code attribute} with probability 1/2. */
    private void maybe(Annotation a, String attribute, java.util.function.Supplier<Object> value) {
        if (r.nextBoolean()) {
            a.with(attribute, value.get());
        }
    }

    /** Mostly in {@code [min, max]}; one time in eight one of {@code absurd}. */
    private long count(int min, int max, long[] absurd) {
        return r.nextInt(8) == 0 ? absurd[r.nextInt(absurd.length)] : min + r.nextInt(max - min + 1);
    }

    private String pair(int min, int max) {
        int arity = r.nextInt(20);
        if (arity == 0) {
            return r.nextBoolean() ? "{}" : "{1, 2, 3}";
        }
        long h = count(min, max, ABSURD_WINDOWS);
        if (arity >= 5) {
            return literals.integer(h);
        }
        return "{" + literals.integer(h) + ", " + literals.integer(count(min, max, ABSURD_WINDOWS)) + "}";
    }

    private String stridePair() {
        return pair(1, 3);
    }

    private String padding() {
        return r.nextInt(6) == 0 ? "Padding.SAME" : pair(0, 2);
    }

    private String real(double min, double max) {
        double v = r.nextInt(8) == 0 ? ABSURD_REALS[r.nextInt(ABSURD_REALS.length)]
                : min + Math.rint((max - min) * r.nextDouble() * 100) / 100; // two decimals
        return literals.real(v);
    }

    private <T> T pick(T[] values) {
        return values[r.nextInt(values.length)];
    }
}
