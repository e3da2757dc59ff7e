package dev.strider.tests.fuzz;

import dev.strider.dsl.Rounding;
import dev.strider.tests.fuzz.Declaration.Category;
import dev.strider.tests.fuzz.Declaration.EngineSpec;
import dev.strider.tests.fuzz.JavaSource.Annotation;
import dev.strider.tests.fuzz.JavaSource.Block;
import dev.strider.tests.fuzz.JavaSource.Field;
import dev.strider.tests.fuzz.JavaSource.Positioned;
import dev.strider.tests.fuzz.JavaSource.Raw;
import dev.strider.tests.fuzz.LayerChain.Sized;
import dev.strider.tests.fuzz.LayerChain.Window;
import java.util.SplittableRandom;

/**
 * Generates the fuzz run's declarations. Declaration {@code i} of seed {@code s} depends on nothing but {@code (s, i)},
 * so one failing declaration can be regenerated and compiled alone ({@code -Dstrider.fuzz.only=i}).
 *
 * <p>The mix: 40% valid networks (1 in 8 of them smooth, for the gradient check), 7% valid networks with exactly one
 * warning (or that warning suppressed), 33% networks with one known defect ({@link Defects}), 8% valid networks with
 * a plain javac error (an annotation on the wrong kind of element, or an ordinary compile error elsewhere in the
 * file), and 12% undecided random networks ({@link UndecidedNetworks}).
 */
final class DeclarationGenerator {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private final long seed;

    DeclarationGenerator(long seed) {
        this.seed = seed;
    }

    Declaration generate(int index) {
        SplittableRandom r = new SplittableRandom(seed + GOLDEN_GAMMA * (index + 1L));
        int roll = r.nextInt(100);
        if (roll < 40) {
            return valid(r, index);
        } else if (roll < 47) {
            return withWarning(r, index);
        } else if (roll < 80) {
            return new Defects(r, index).strider();
        } else if (roll < 84) {
            return javacErrorBeforeProcessing(r, index);
        } else if (roll < 88) {
            return javacErrorElsewhere(r, index);
        }
        return new UndecidedNetworks(r).generate(index);
    }

    private static Declaration valid(SplittableRandom r, int index) {
        NetworkDraft d = validDraft(r, index, r.nextInt(8) == 0);
        String description = "valid" + (d.chain.smooth ? ", smooth" : "") + ", " + d.form;
        return d.finish(Category.VALID, description, engine(d), true);
    }

    /** A valid network: a random chain, harmless extra members, maybe {@code expectParams} with the right count. */
    private static NetworkDraft validDraft(SplittableRandom r, int index, boolean smooth) {
        NetworkDraft d = new NetworkDraft(r, index, smooth, NetworkDraft.visibleForm(r));
        d.chain.addRandomLayers(r.nextInt(20) == 0 ? 10 + r.nextInt(11) : 1 + r.nextInt(6), true);
        d.addHarmlessMembers();
        int expect = r.nextInt(8);
        if (expect < 2) {
            d.network.with("expectParams", expect == 0 ? d.chain.params + "L" : d.literals.integer(d.chain.params));
        } else if (expect == 2) {
            d.network.with("expectParams", r.nextBoolean() ? "Network.UNCHECKED" : "-1");
        }
        return d;
    }

    private static EngineSpec engine(NetworkDraft d) {
        return new EngineSpec(d.engineClass(), d.inputShape.size(), d.chain.shape.size(), d.chain.params,
                d.chain.nonTrainableParams, d.chain.macs, d.maxBatch,
                d.chain.meanSquaredError, d.chain.smooth);
    }

    /**
     * A valid network with one layer that warns (a pooling window over 3, a pooling stride over the window, two linear
     * layers with no nonlinearity between them); one time in three the warning is suppressed on the field or the class.
     */
    private static Declaration withWarning(SplittableRandom r, int index) {
        NetworkDraft d = new NetworkDraft(r, index, false, NetworkDraft.visibleForm(r));
        LayerChain c = d.chain;
        c.addRandomLayers(r.nextInt(3), false);
        String id;
        Positioned at;
        Field field;
        Sized pool = c.shape.flat() || r.nextInt(3) == 0 ? null : warningPool(r, c, r.nextBoolean());
        if (pool != null) {
            boolean large = pool.window().kernelH() > 3 || pool.window().kernelW() > 3;
            Annotation a = c.addPool(r.nextBoolean(), pool);
            id = large ? "large-pool-window" : "stride-over-window";
            at = a.attribute(large ? "window" : "stride");
            field = c.fields.get(c.fields.size() - 1);
        } else {
            while (!c.pendingLinear) {
                c.addDense(false);
            }
            if (r.nextBoolean()) {
                c.addDropout();
            }
            c.pendingLinear = false; // the next linear layer warns: no nonlinearity inserted before it
            c.addDense(false);
            field = c.fields.get(c.fields.size() - 1);
            id = "no-nonlinearity";
            at = field.layer();
        }
        c.addRandomLayers(r.nextInt(3), true);
        int suppress = r.nextInt(6);
        String description = "valid with warning " + id;
        if (suppress == 0) {
            field.annotations.add(new Annotation("SuppressWarnings").with("value", "\"strider:" + id + "\""));
            description += ", suppressed on the field";
        } else if (suppress == 1) {
            String ids = r.nextBoolean() ? "\"strider\"" : "{\"unused\", \"strider:" + id + "\"}";
            d.classAnnotations.add(new Annotation("SuppressWarnings").with("value", ids));
            description += ", suppressed on the class";
        } else {
            d.expectWarning(id, at);
        }
        return d.finish(Category.VALID, description, engine(d), true);
    }

    /** A pooling window that warns (larger than 3, or a stride over the window) and fits the current map, or null. */
    private static Sized warningPool(SplittableRandom r, LayerChain c, boolean large) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int k = large ? 4 + r.nextInt(2) : 1 + r.nextInt(3);
            int stride = large ? 1 + r.nextInt(k) : k + 1 + r.nextInt(2);
            int padding = r.nextInt(k / 2 + 1);
            Sized s = c.size(new Window(k, k, stride, stride, padding, padding, 1, 1, Rounding.FLOOR));
            if (s.valid()) {
                return s;
            }
        }
        return null;
    }

    /**
     * A valid network plus an annotation on an element it does not apply to, or a layer annotation twice on one field.
     * javac rejects it before annotation processing starts (so the processor never runs on this compilation).
     */
    private static Declaration javacErrorBeforeProcessing(SplittableRandom r, int index) {
        NetworkDraft d = validDraft(r, index, false);
        Positioned at;
        String what;
        switch (r.nextInt(7)) {
            case 0 -> {
                at = member(d, "@ReLU", "void misplaced() {", "}");
                what = "@ReLU on a method";
            }
            case 1 -> {
                at = member(d, "@Dense(units = 2)", d.typeName + "() {", "}");
                what = "@Dense on a constructor";
            }
            case 2 -> {
                at = member(d, "void misplaced(@Conv(filters = 1, kernel = 1) Layer x) {", "}");
                what = "@Conv on a parameter";
            }
            case 3 -> {
                Annotation onClass = new Annotation("Flatten");
                d.classAnnotations.add(onClass);
                at = onClass;
                what = "@Flatten on the class";
            }
            case 4 -> {
                Annotation input = new Annotation("Input").with("channels", 1).with("height", 2).with("width", 2);
                Field field = new Field("shape", input);
                field.type = "int";
                d.extraMembers.add(field);
                at = input;
                what = "@Input on a field";
            }
            case 5 -> {
                Field layer = d.chain.fields.get(r.nextInt(d.chain.fields.size()));
                Annotation again = new Annotation(layer.layer().name);
                layer.layer().attributes.forEach(a -> again.with(a.name, a.value));
                layer.annotations.add(1, again);
                at = again;
                what = "the same layer annotation twice";
            }
            default -> {
                at = member(d, "@Network(maxBatch = 1)", "void misplaced() {", "}");
                what = "@Network on a method";
            }
        }
        d.expectError(null, at);
        return d.finish(Category.JAVAC_ERROR_BEFORE_PROCESSING, "javac error before processing: " + what, null, true);
    }

    /** Adds {@code lines} as a member of the network class. */
    private static Raw member(NetworkDraft d, String... lines) {
        Raw raw = new Raw(lines);
        d.extraMembers.add(raw);
        return raw;
    }

    /**
     * A valid network with an ordinary compile error in a method body (a layer annotation on a local variable among
     * them), a field initializer or another class of the file (javac finds it when it attributes them), or with a type
     * in a method signature that does not resolve (javac reports it after processing). The processor must not add
     * anything to it.
     */
    private static Declaration javacErrorElsewhere(SplittableRandom r, int index) {
        NetworkDraft d = validDraft(r, index, false);
        Raw broken;
        int lineInRaw;
        Category category = Category.JAVAC_ERROR_IN_ATTRIBUTION;
        switch (r.nextInt(5)) {
            case 0 -> {
                broken = member(d, "int broken() {", "    return \"x\";", "}");
                lineInRaw = 1;
            }
            case 1 -> {
                broken = member(d, "int broken = \"x\";");
                lineInRaw = 0;
            }
            case 2 -> {
                broken = member(d, d.fileClass + "Missing broken() {", "    return null;", "}");
                lineInRaw = 0;
                category = Category.JAVAC_ERROR_AFTER_PROCESSING;
            }
            case 3 -> {
                broken = member(d, "void broken() {", "    @ReLU Layer local = null;", "}");
                lineInRaw = 1;
            }
            default -> {
                broken = new Raw("void broken() {", "    undefinedMethod();", "}");
                lineInRaw = 1;
                d.extraTypes.add(Block.type("class " + d.fileClass + "Helper").add(broken));
            }
        }
        d.expectError(null, () -> broken.line() + lineInRaw);
        return d.finish(category, "javac error: " + broken.firstLine() + ", " + d.form, null, true);
    }
}
