package dev.strider.tests.fuzz;

import dev.strider.dsl.Rounding;
import dev.strider.tests.fuzz.Declaration.Category;
import dev.strider.tests.fuzz.JavaSource.Annotation;
import dev.strider.tests.fuzz.JavaSource.Attribute;
import dev.strider.tests.fuzz.JavaSource.Block;
import dev.strider.tests.fuzz.JavaSource.Field;
import dev.strider.tests.fuzz.JavaSource.Raw;
import dev.strider.tests.fuzz.LayerChain.Sized;
import dev.strider.tests.fuzz.LayerChain.Window;
import dev.strider.tests.fuzz.NetworkDraft.Form;
import dev.strider.tests.fuzz.NetworkDraft.TypeKind;
import dev.strider.tests.fuzz.ShapeRules.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Invalid declarations: a network that is valid by construction ({@link LayerChain}) with exactly one known defect
 * injected (or, for {@link #multipleValueErrors}, several independent value errors that must all be reported in one
 * pass), and the error(s) the documentation says it gives, on the line of the value, annotation, field or class at
 * fault ({@code docs/errors.md}: "on the annotation value at fault when you wrote it, else on the annotation, else on
 * the field or class").
 *
 * <p>Around a layer defect the rest of the network stays valid: layers before it are a valid chain; after a defect
 * that stops shape inference (an invalid value, a kernel that does not fit, ...) the following layers only need
 * valid values; after one that does not ({@code groups-mismatch}, {@code fractional-output}, where the processor goes
 * on with the rounded-down size, {@code softmax-not-last}) they are a valid chain from the shape the processor goes
 * on with. So each declaration must give exactly the expected errors and no other.
 */
final class Defects {
    private static final String[] BAD_COUNTS = {"0", "-1", "-100", "16777217", "Integer.MAX_VALUE", "Integer.MIN_VALUE"};
    private static final String[] BAD_WINDOWS = {"0", "-1", "-3", "65537", "1048576", "Integer.MAX_VALUE", "Integer.MIN_VALUE",
            "{}", "{1, 2, 3}", "{2, 0}", "{-1, 2}"};
    private static final String[] BAD_PADDINGS = {"-1", "-2", "65537", "Integer.MAX_VALUE", "{Padding.SAME, 1}",
            "{1, Padding.SAME}", "{Padding.SAME, Padding.SAME}", "{1, 2, 3}", "{}", "{0, -1}"};
    private static final String[] BAD_RATES = {"-0.5", "-1e-9", "1.0", "1", "1.5", "Double.NaN", "Double.POSITIVE_INFINITY",
            "(0.0 / 0)", "-Double.MAX_VALUE"};
    private static final String[] BAD_SLOPES = {"-0.01", "1.0", "2", "Double.NaN", "Double.NEGATIVE_INFINITY"};
    private static final String[] BAD_EPSILONS = {"0", "-1e-5", "1.0", "5", "Double.NaN", "Double.POSITIVE_INFINITY", "-0.0"};
    private static final String[] BAD_MOMENTA = {"-0.1", "1.5", "Double.NaN", "Double.POSITIVE_INFINITY"};
    private static final String[] BAD_NETWORK_SIZES = {"0", "-1", "-64", "1048577", "Integer.MAX_VALUE", "Integer.MIN_VALUE"};

    private final SplittableRandom r;
    private final int index;

    Defects(SplittableRandom r, int index) {
        this.r = r;
        this.index = index;
    }

    /** A declaration with one random defect that the processor must report. */
    Declaration strider() {
        int pick = r.nextInt(100);
        if (pick < 22) {
            return invalidLayerValue();
        } else if (pick < 45) {
            return shapeDefect();
        } else if (pick < 55) {
            return invalidNetworkValue();
        } else if (pick < 61) {
            return sizeDefect();
        } else if (pick < 68) {
            return multipleValueErrors();
        }
        return structuralDefect();
    }

    // ------------------------------------------------------------------------------------------------ values

    private Declaration invalidLayerValue() {
        NetworkDraft d = draft(Form.TOP_LEVEL);
        d.chain.addRandomLayers(r.nextInt(3), false);
        Field target = addBreakableLayer(d.chain);
        String what = breakValue(d, target);
        d.chain.addRandomLayers(r.nextInt(3), true);
        return d.finish(Category.STRIDER_ERROR, "invalid value: " + what, null, true);
    }

    /** Appends a valid layer of a kind that has values to break. */
    private Field addBreakableLayer(LayerChain c) {
        int pick = r.nextInt(6);
        boolean spatial = !c.shape.flat();
        if (pick == 0 && spatial && c.addConv(false) || pick == 1 && spatial && c.addPool(r.nextBoolean())) {
            return last(c);
        }
        switch (pick) {
            case 2 -> c.addDropout();
            case 3 -> c.addBatchNorm();
            case 4 -> c.add(c.kind("LeakyReLU"), c.shape);
            default -> c.addDense(false);
        }
        return last(c);
    }

    /** Replaces one value of {@code layer} with an invalid one and expects {@code invalid-value} on it; says what it did. */
    private String breakValue(NetworkDraft d, Field layer) {
        Annotation a = layer.layer();
        String kind = a.name.substring(a.name.lastIndexOf('.') + 1);
        String attribute;
        String value;
        switch (kind) {
            case "Conv", "Dense" -> {
                List<String> attributes = kind.equals("Conv")
                        ? List.of("filters", "kernel", "stride", "padding", "dilation", "groups", "slope")
                        : List.of("units", "slope");
                attribute = attributes.get(r.nextInt(attributes.size()));
                value = switch (attribute) {
                    case "filters", "units", "groups" -> pick(BAD_COUNTS);
                    case "padding" -> pick(BAD_PADDINGS);
                    case "slope" -> pick(BAD_SLOPES);
                    default -> pick(BAD_WINDOWS);
                };
                if (attribute.equals("slope")) {
                    replace(a, "activation", "Activation.LEAKY_RELU", false);
                }
            }
            case "MaxPool", "AvgPool" -> {
                attribute = List.of("window", "stride", "padding").get(r.nextInt(3));
                value = attribute.equals("padding") ? pick(BAD_PADDINGS) : pick(BAD_WINDOWS);
                if (attribute.equals("stride") && value.equals("{}")) {
                    value = "{0}"; // an empty stride is the documented default (the window), not an error
                }
            }
            case "Dropout" -> {
                attribute = "rate";
                value = pick(BAD_RATES);
            }
            case "BatchNorm" -> {
                attribute = r.nextBoolean() ? "epsilon" : "momentum";
                value = attribute.equals("epsilon") ? pick(BAD_EPSILONS) : pick(BAD_MOMENTA);
            }
            default -> {
                attribute = "slope";
                value = pick(BAD_SLOPES);
            }
        }
        d.expectError("invalid-value", replace(a, attribute, value, true));
        return kind + " " + attribute + " = " + value;
    }

    private Declaration invalidNetworkValue() {
        NetworkDraft d = draft(NetworkDraft.visibleForm(r));
        d.chain.addRandomLayers(1 + r.nextInt(4), true);
        String what = breakNetworkValue(d);
        return d.finish(Category.STRIDER_ERROR, "invalid network value: " + what, null, true);
    }

    /** Replaces one value of {@code @Network} or {@code @Input} with an invalid one and expects {@code invalid-value} on it. */
    private String breakNetworkValue(NetworkDraft d) {
        int pick = r.nextInt(6);
        Annotation a = pick < 2 ? d.network : d.input;
        String attribute = switch (pick) {
            case 0 -> "maxBatch";
            case 1 -> r.nextBoolean() ? "rounding" : "expectParams";
            default -> List.of("channels", "height", "width").get(pick % 3);
        };
        String value = switch (attribute) {
            case "rounding" -> "Rounding.INHERIT";
            case "expectParams" -> List.of("-2", "-5L", "Long.MIN_VALUE", "-1000000").get(r.nextInt(4));
            default -> pick(BAD_NETWORK_SIZES);
        };
        d.expectError("invalid-value", replace(a, attribute, value, true));
        return "@" + a.name + " " + attribute + " = " + value;
    }

    /** Two or three value errors in different layers, maybe one in {@code @Network}, maybe a malformed field: all in one pass. */
    private Declaration multipleValueErrors() {
        NetworkDraft d = draft(Form.TOP_LEVEL);
        List<Field> broken = new ArrayList<>();
        int count = 2 + r.nextInt(2);
        for (int i = 0; i < count; i++) {
            d.chain.addRandomLayers(r.nextInt(2), false);
            broken.add(addBreakableLayer(d.chain));
        }
        List<String> what = new ArrayList<>();
        for (Field f : broken) {
            what.add(breakValue(d, f));
        }
        if (r.nextBoolean()) {
            what.add(breakNetworkValue(d));
        }
        if (r.nextBoolean()) {
            Field wrongType = d.chain.add(d.chain.kind("ReLU"), d.chain.shape);
            wrongType.type = "String";
            d.expectError("layer-field", wrongType);
            what.add("a String layer field");
        }
        return d.finish(Category.STRIDER_ERROR, "several value errors: " + String.join("; ", what), null, true);
    }

    // ------------------------------------------------------------------------------------------------ shapes

    private Declaration shapeDefect() {
        NetworkDraft d = draft(Form.TOP_LEVEL);
        LayerChain c = d.chain;
        c.addRandomLayers(r.nextInt(3), false);
        int pick = r.nextInt(6);
        String what;
        if (pick == 0) {
            what = needsSpatialInput(d);
        } else if (pick == 1 && !c.meanSquaredError) {
            what = softmaxNotLast(d);
        } else {
            if (c.shape.flat()) {
                d = draft(Form.TOP_LEVEL); // a fresh start on the input map
                c = d.chain;
            }
            what = switch (pick) {
                case 2 -> groupsMismatch(d);
                case 3 -> kernelTooLarge(d);
                case 4 -> poolPadding(d);
                default -> fractionalOutput(d);
            };
        }
        return d.finish(Category.STRIDER_ERROR, "shape defect: " + what, null, true);
    }

    private String needsSpatialInput(NetworkDraft d) {
        LayerChain c = d.chain;
        if (!c.shape.flat()) {
            c.add(c.kind("Flatten"), Shape.vector(c.shape.size()));
        }
        String kind = List.of("Conv", "MaxPool", "AvgPool", "GlobalAvgPool").get(r.nextInt(4));
        Annotation a = c.kind(kind);
        switch (kind) {
            case "Conv" -> a.with("filters", 2).with("kernel", 1);
            case "MaxPool", "AvgPool" -> a.with("window", 1);
            default -> { }
        }
        c.add(a, c.shape);
        d.expectError("needs-spatial-input", a);
        c.addRandomLayers(r.nextInt(2), true);
        return kind + " after " + c.shape;
    }

    private String softmaxNotLast(NetworkDraft d) {
        LayerChain c = d.chain;
        Annotation softmax;
        if (r.nextBoolean()) {
            softmax = c.kind("Softmax");
            c.add(softmax, c.shape);
            c.pendingLinear = false;
            d.expectError("softmax-not-last", softmax);
        } else {
            c.addDense(false);
            softmax = last(c).layer();
            replace(softmax, "slope", null, false);
            d.expectError("softmax-not-last", replace(softmax, "activation", "Activation.SOFTMAX", true));
            c.pendingLinear = false;
        }
        c.addRandomLayers(1 + r.nextInt(2), true);
        return "softmax before the last layer";
    }

    private String groupsMismatch(NetworkDraft d) {
        LayerChain c = d.chain;
        Sized s = c.searchWindow(false, null, Sized::valid);
        if (s == null) {
            return kernelTooLarge(d);
        }
        int groups = 2 + r.nextInt(3);
        int filters = c.shape.c() % groups == 0 ? groups * (1 + r.nextInt(2)) + 1 : 1 + r.nextInt(6);
        Annotation a = c.kind("Conv").with("filters", filters);
        c.windowAttributes(a, s.window(), "kernel", false);
        a.with("activation", "Activation.TANH");
        Attribute g = a.withOwnLine("groups", groups);
        c.add(a, Shape.spatial(filters, s.outH(), s.outW()));
        c.pendingLinear = false;
        d.expectError("groups-mismatch", g);
        c.addRandomLayers(r.nextInt(3), true);
        return "groups " + groups + " with " + filters + " filters";
    }

    private String kernelTooLarge(NetworkDraft d) {
        LayerChain c = d.chain;
        boolean pool = r.nextBoolean();
        Sized s = c.searchWindow(pool, null, x -> x.valid() && !x.window().same());
        if (s == null) {
            return needsSpatialInput(d);
        }
        Window w = s.window();
        int dilation = w.dilationH();
        int kernel = (int) ((c.shape.h() + 2L * w.padH() - 1) / dilation + 2 + r.nextInt(3)); // dilated: > padded height
        Annotation a = c.kind(pool ? "MaxPool" : "Conv");
        if (!pool) {
            a.with("filters", 2);
        }
        Attribute window = a.withOwnLine(pool ? "window" : "kernel", "{" + kernel + ", " + w.kernelW() + "}");
        a.with("stride", "{" + w.strideH() + ", " + w.strideW() + "}").with("padding", "{" + w.padH() + ", " + w.padW() + "}");
        if (!pool) {
            a.with("dilation", "{" + dilation + ", " + w.dilationW() + "}");
        }
        a.with("rounding", "Rounding." + w.rounding());
        c.add(a, c.shape);
        d.expectError("kernel-too-large", window);
        c.addRandomLayers(r.nextInt(2), true);
        return (pool ? "MaxPool window " : "Conv kernel ") + kernel + " on " + c.shape;
    }

    private String poolPadding(NetworkDraft d) {
        LayerChain c = d.chain;
        int window = 1 + r.nextInt(3);
        int padding = window / 2 + 1 + r.nextInt(2);
        Annotation a = c.kind(r.nextBoolean() ? "MaxPool" : "AvgPool").with("window", window);
        Attribute p = a.withOwnLine("padding", padding);
        c.add(a, c.shape);
        d.expectError("pool-padding", p);
        c.addRandomLayers(r.nextInt(2), true);
        return "pool window " + window + " padding " + padding;
    }

    private String fractionalOutput(NetworkDraft d) {
        LayerChain c = d.chain;
        boolean pool = r.nextBoolean();
        Rounding rounding = c.networkRounding == Rounding.STRICT && r.nextBoolean() ? Rounding.INHERIT : Rounding.STRICT;
        Sized s = c.searchWindow(pool, rounding, x -> (x.outH() == ShapeRules.FRACTIONAL || x.outW() == ShapeRules.FRACTIONAL)
                && x.outH() != ShapeRules.TOO_LARGE && x.outW() != ShapeRules.TOO_LARGE);
        if (s == null) {
            return poolPadding(d);
        }
        Window w = s.window();
        Annotation a = c.kind(pool ? "MaxPool" : "Conv");
        if (!pool) {
            a.with("filters", 1 + r.nextInt(3)).with("activation", "Activation.SIGMOID");
        }
        c.windowAttributes(a, w, pool ? "window" : "kernel", pool);
        // The error goes on the stride when it is written, else on the kernel/window.
        Attribute at = replace(a, "stride", "{" + w.strideH() + ", " + w.strideW() + "}", true);
        Window floor = new Window(w.kernelH(), w.kernelW(), w.strideH(), w.strideW(), w.padH(), w.padW(), w.dilationH(),
                w.dilationW(), Rounding.FLOOR);
        Sized continued = c.size(floor);
        long channels = pool ? c.shape.c() : Long.parseLong(a.attribute("filters").value);
        c.add(a, Shape.spatial(channels, continued.outH(), continued.outW()));
        c.pendingLinear = false;
        d.expectError("fractional-output", at);
        c.addRandomLayers(r.nextInt(3), true);
        return (pool ? "MaxPool " : "Conv ") + w + " on " + s;
    }

    /** Overflowing sizes: a huge input, a huge batch of it, a huge layer output or weight matrix, an engine over 4 GiB. */
    private Declaration sizeDefect() {
        NetworkDraft d = draft(Form.TOP_LEVEL);
        int pick = r.nextInt(5);
        Annotation input = new Annotation("Input");
        Annotation network = new Annotation("Network");
        Attribute maxBatch;
        String what;
        Annotation layer;
        if (pick <= 1) {
            // 0: at least 512 * 1024 * 4096 = 2^31 values in one image; 1: 2 * 1024 * 1024 = 2^21 values, times at
            // least 1024 images. Every value within its own limit (2^20).
            long c = pick == 0 ? 512 + r.nextInt(2048) : 2;
            long h = 1024 + r.nextInt(1024);
            long w = pick == 0 ? 4096 + r.nextInt(1 << 19) : 1024;
            int batch = pick == 0 ? 1 : 1024 + r.nextInt(1 << 19);
            maxBatch = network.withOwnLine("maxBatch", batch);
            input.with("channels", c).with("height", h).with("width", w);
            layer = new Annotation("ReLU");
            d.expectError("size-overflow", input);
            what = "input " + c + "x" + h + "x" + w + " at maxBatch " + batch;
        } else {
            maxBatch = network.withOwnLine("maxBatch", 1);
            input.with("channels", 1).with("height", 1024).with("width", 1024);
            // 2: at least 2048 * 2^20 = 2^31 output values; 3: at least 2^31 weights; 4: 2^20 * (513 .. 2047) weights
            // fit an array, but with their gradients take more than the default limit of 4 GiB
            if (pick == 2) {
                layer = new Annotation("Conv").with("filters", 2048 + r.nextInt(1 << 23)).with("kernel", 1);
                d.expectError("size-overflow", layer);
            } else if (pick == 3) {
                layer = new Annotation("Dense").with("units", 2048 + r.nextInt(1 << 16));
                d.expectError("size-overflow", layer);
            } else {
                layer = new Annotation("Dense").with("units", 513 + r.nextInt(1535));
                d.expectError("engine-too-large", maxBatch);
            }
            what = layer + " on 1x1024x1024";
        }
        d.classAnnotations.clear();
        d.classAnnotations.add(network);
        d.classAnnotations.add(input);
        d.chain.fields.add(new Field("big", layer));
        return d.finish(Category.STRIDER_ERROR, "size: " + what, null, true);
    }

    // ------------------------------------------------------------------------------------------------ structure

    private Declaration structuralDefect() {
        int pick = r.nextInt(12);
        if (pick == 0) {
            return localNetwork();
        }
        NetworkDraft d = draft(pick == 1 ? Form.TOP_LEVEL : NetworkDraft.visibleForm(r));
        d.chain.addRandomLayers(1 + r.nextInt(4), true);
        boolean exact = true;
        String what;
        switch (pick) {
            case 1 -> what = networkKind(d);
            case 2 -> {
                d.classAnnotations.remove(d.input);
                d.expectError("missing-input", d.network);
                what = "no @Input";
            }
            case 3 -> {
                d.chain.fields.clear();
                d.extraMembers.add(new Raw("Layer unannotated;"));
                d.expectError("no-layers", d.network);
                what = "no layers";
            }
            case 4 -> what = orphans(d);
            case 5 -> what = wrongFieldType(d);
            case 6 -> what = twoLayerAnnotations(d);
            case 7 -> {
                Field f = pickLayer(d);
                f.type = "Missing";
                d.expectError("unresolved-type", f);
                d.expectError(null, f);
                what = "unresolved type of " + f.name;
            }
            case 8 -> what = orphanLayerInHelper(d);
            case 9 -> what = layerNameClash(d);
            default -> {
                String engine = d.engineClass();
                String simple = engine.substring(engine.lastIndexOf('.') + 1, engine.length() - "Engine".length())
                        + (r.nextBoolean() ? "Spec" : "Engine");
                d.extraTypes.add(Block.type("class " + simple));
                d.expectError("name-clash", d.classHeader());
                exact = false;
                what = "a class named " + simple;
            }
        }
        return d.finish(Category.STRIDER_ERROR, "structure: " + what, null, exact);
    }

    /**
     * Renames a layer with weights to {@code <w>Weight} for another layer {@code w} with weights: the engine would declare
     * {@code <w>WeightGrad} twice (the weights' gradient of one, the output gradient of the other). Both have weights
     * because a layer without (a flatten) may declare no members at all.
     */
    private String layerNameClash(NetworkDraft d) {
        List<Field> weighted = new ArrayList<>(d.chain.fields.stream()
                .filter(f -> f.layer().name.endsWith("Dense") || f.layer().name.endsWith("Conv")).toList());
        if (weighted.size() < 2) {
            d.classAnnotations.remove(d.input);
            d.expectError("missing-input", d.network);
            return "no @Input";
        }
        Field first = weighted.remove(r.nextInt(weighted.size()));
        weighted.get(r.nextInt(weighted.size())).name = first.name + "Weight";
        d.expectError("name-clash", d.classHeader());
        return "layers " + first.name + " and " + first.name + "Weight";
    }

    private String networkKind(NetworkDraft d) {
        TypeKind[] kinds = {TypeKind.INTERFACE, TypeKind.ENUM, TypeKind.RECORD, TypeKind.ANNOTATION_TYPE};
        d.kind = kinds[r.nextInt(kinds.length)];
        d.expectError("network-kind", d.network);
        return "@Network on " + d.kind;
    }

    private String orphans(NetworkDraft d) {
        d.classAnnotations.remove(d.network);
        boolean keepInput = r.nextBoolean();
        if (keepInput) {
            d.expectError("orphan-input", d.input);
        } else {
            d.classAnnotations.remove(d.input);
        }
        for (Field f : d.chain.fields) {
            d.expectError("orphan-layer", f.layer());
        }
        return keepInput ? "@Input without @Network" : "layers without @Network";
    }

    private String wrongFieldType(NetworkDraft d) {
        Field f = pickLayer(d);
        String[] types = {"int", "String", "Object", "Layer[]", "java.util.List<Layer>", "dev.strider.dsl.Layer",
                d.fileClass + "Layer"};
        String type = types[r.nextInt(types.length)];
        if (type.equals("dev.strider.dsl.Layer") || r.nextInt(4) == 0) {
            f.modifiers = "static ";
        }
        f.type = type;
        d.extraTypes.add(Block.type("interface " + d.fileClass + "Layer extends Layer"));
        d.expectError("layer-field", f);
        return f.modifiers + type + " " + f.name;
    }

    private String twoLayerAnnotations(NetworkDraft d) {
        Field f = pickLayer(d);
        String first = f.layer().name;
        List<String> others = new ArrayList<>(List.of("ReLU", "Tanh", "Flatten", "Softmax", "Sigmoid", "GlobalAvgPool"));
        others.removeIf(first::endsWith);
        Annotation second = new Annotation(others.get(r.nextInt(others.size())));
        f.annotations.add(1, second);
        if (r.nextBoolean()) {
            others.remove(second.name);
            f.annotations.add(2, new Annotation(others.get(r.nextInt(others.size()))));
        }
        d.expectError("multiple-layer-annotations", second);
        return f.annotations.size() + " layer annotations on " + f.name;
    }

    /** A layer field in a class, interface or enum without {@code @Network}: nested in the network, or another top-level type. */
    private String orphanLayerInHelper(NetworkDraft d) {
        Annotation orphan = new Annotation("Dense").with("units", 3);
        Field field = new Field("orphan", orphan);
        int kind = r.nextInt(3);
        boolean nested = r.nextBoolean();
        String header = (kind == 0 ? "class " : kind == 1 ? "interface " : "enum ") + (nested ? "Helper" : d.fileClass + "Helper");
        Block helper = Block.type(header);
        if (kind == 1) {
            field.initializer = " = null";
        } else if (kind == 2) {
            helper.add(new Raw("A;"));
        }
        helper.add(field);
        if (nested) {
            d.extraMembers.add(helper);
        } else {
            d.extraTypes.add(helper);
        }
        d.expectError("orphan-layer", orphan);
        return "a layer field in " + header + " without @Network";
    }

    private Declaration localNetwork() {
        Form[] local = {Form.LOCAL_IN_METHOD, Form.LOCAL_IN_CONSTRUCTOR, Form.LOCAL_IN_STATIC_INITIALIZER,
                Form.LOCAL_IN_INSTANCE_INITIALIZER, Form.LOCAL_IN_LAMBDA, Form.MEMBER_OF_ANONYMOUS_CLASS};
        NetworkDraft d = draft(local[r.nextInt(local.length)]);
        d.chain.addRandomLayers(1 + r.nextInt(3), true);
        if (r.nextBoolean()) {
            // an invalid value the processor cannot see either: still only the one error
            d.chain.fields.set(0, new Field("l99", new Annotation("Dropout").with("rate", "7.5")));
        }
        d.expectError("local-network", d.network);
        return d.finish(Category.STRIDER_ERROR, "structure: @Network in " + d.form, null, true);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private NetworkDraft draft(Form form) {
        return new NetworkDraft(r, index, false, form);
    }

    /** A random layer field of the chain. */
    private Field pickLayer(NetworkDraft d) {
        return d.chain.fields.get(r.nextInt(d.chain.fields.size()));
    }

    private static Field last(LayerChain c) {
        return c.fields.get(c.fields.size() - 1);
    }

    /**
     * Removes {@code attribute} from {@code a} and, unless {@code value} is null, adds it back with {@code value}
     * (on a line of its own when {@code ownLine}); returns the new value.
     */
    private static Attribute replace(Annotation a, String attribute, String value, boolean ownLine) {
        a.attributes.removeIf(x -> x.name.equals(attribute));
        if (value == null) {
            return null;
        }
        if (ownLine) {
            return a.withOwnLine(attribute, value);
        }
        a.with(attribute, value);
        return a.attribute(attribute);
    }

    private String pick(String[] values) {
        return values[r.nextInt(values.length)];
    }
}
