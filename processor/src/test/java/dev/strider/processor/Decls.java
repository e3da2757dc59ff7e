package dev.strider.processor;

import dev.strider.dsl.Loss;
import dev.strider.dsl.Padding;
import dev.strider.dsl.Rounding;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.NetworkDecl;
import dev.strider.processor.model.SourceRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Hand-made declarations for tests that need no compiler: the DSL's defaults, overridden per test. */
public final class Decls {
    private Decls() {}

    /** A layer of {@code kind} named {@code name}; {@code values} alternate attribute names and values. */
    public static LayerDecl layer(String kind, String name, Object... values) {
        Map<String, Object> v = new HashMap<>(defaults(kind));
        Set<String> explicit = new HashSet<>();
        for (int i = 0; i < values.length; i += 2) {
            String key = (String) values[i];
            if (!v.containsKey(key)) {
                throw new IllegalArgumentException("@" + kind + " has no value " + key);
            }
            Object value = values[i + 1];
            if (value instanceof Integer n && v.get(key) instanceof List) {
                value = List.of(n);
            } else if (value instanceof int[] a) {
                List<Integer> l = new ArrayList<>();
                for (int x : a) {
                    l.add(x);
                }
                value = List.copyOf(l);
            } else if (value instanceof Enum<?> e) {
                value = e.name();
            } else if (value instanceof Integer n && v.get(key) instanceof Double) {
                value = n.doubleValue();
            }
            v.put(key, value);
            explicit.add(key);
        }
        return new LayerDecl(name, kind, v, explicit, SourceRef.named("Test." + name));
    }

    public static NetworkDecl network(long c, long h, long w, List<LayerDecl> layers) {
        return network(c, h, w, 8, -1, Rounding.STRICT, Loss.SOFTMAX_CROSS_ENTROPY, layers);
    }

    public static NetworkDecl network(long c, long h, long w, int maxBatch, long expectParams, Rounding rounding, Loss loss, List<LayerDecl> layers) {
        return new NetworkDecl("test.Test", "Test", "test", "Test", true, c, h, w, maxBatch, expectParams, loss, rounding, false, layers,
                SourceRef.named("Test"), SourceRef.named("Test@Input"), true, true);
    }

    private static Map<String, Object> defaults(String kind) {
        Map<String, Object> d = new HashMap<>();
        switch (kind) {
            case "Conv" -> {
                d.put("filters", 1);
                d.put("kernel", List.of(1));
                d.put("stride", List.of(1));
                d.put("padding", List.of(0));
                d.put("dilation", List.of(1));
                d.put("groups", 1);
                d.put("bias", true);
                d.put("activation", "NONE");
                d.put("slope", 0.01);
                d.put("rounding", "INHERIT");
            }
            case "MaxPool", "AvgPool" -> {
                d.put("window", List.of(2));
                d.put("stride", List.of());
                d.put("padding", List.of(0));
                d.put("rounding", "INHERIT");
                if (kind.equals("AvgPool")) {
                    d.put("countPadding", true);
                }
            }
            case "Dense" -> {
                d.put("units", 1);
                d.put("bias", true);
                d.put("activation", "NONE");
                d.put("slope", 0.01);
            }
            case "Dropout" -> d.put("rate", 0.5);
            case "BatchNorm" -> {
                d.put("epsilon", 1e-5);
                d.put("momentum", 0.1);
            }
            case "LeakyReLU" -> d.put("slope", 0.01);
            case "Add" -> {
                d.put("activation", "NONE");
                d.put("slope", 0.01);
            }
            case "Concat" -> { }
            case "ConvTranspose" -> {
                d.put("filters", 1);
                d.put("kernel", List.of(2));
                d.put("stride", List.of(1));
                d.put("padding", List.of(0));
                d.put("outputPadding", List.of(0));
                d.put("dilation", List.of(1));
                d.put("groups", 1);
                d.put("bias", true);
                d.put("activation", "NONE");
                d.put("slope", 0.01);
            }
            case "Upsample" -> {
                d.put("scale", List.of(2));
                d.put("mode", "NEAREST");
            }
            case "AdaptiveAvgPool" -> d.put("size", List.of(1));
            case "ChannelShuffle" -> d.put("groups", 1);
            case "L2Pool" -> {
                d.put("window", List.of(2));
                d.put("stride", List.of());
                d.put("padding", List.of(0));
                d.put("rounding", "INHERIT");
            }
            case "LRN" -> {
                d.put("size", 5);
                d.put("alpha", 1e-4);
                d.put("beta", 0.75);
                d.put("k", 1.0);
            }
            case "GlobalAvgPool", "Flatten", "ReLU", "Sigmoid", "Tanh", "Softmax", "ReLU6", "Identity" -> { }
            default -> throw new IllegalArgumentException(kind);
        }
        return d;
    }

    public static final int SAME = Padding.SAME;
}
