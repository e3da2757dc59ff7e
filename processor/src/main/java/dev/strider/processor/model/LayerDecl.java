package dev.strider.processor.model;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A layer as the user declared it, before any interpretation: its name (the field's name), its kind (the
 * annotation's simple name, e.g. {@code Conv}), and the annotation's values with defaults filled in. Values are
 * plain Java: {@code Integer}, {@code Long}, {@code Double}, {@code Boolean}, {@code String} (enum constants by
 * name) and {@code List<Integer>} (int arrays). {@code explicit} names the values the user wrote. {@code from} is
 * what {@code @From} names (empty without it), and {@code fromRef} where it is written. {@code origin} is null for a
 * layer declared in the network, and for a layer of a block, e.g. {@code conv1 of block BasicBlock used as layer1_0}.
 * {@code frozen} ({@code @Frozen}) and {@code rateScale} ({@code @LearningRate}) say how its parameters train.
 */
public record LayerDecl(String name, String kind, Map<String, Object> values, Set<String> explicit, SourceRef ref,
        List<String> from, SourceRef fromRef, String origin, boolean frozen, double rateScale, String tensorName) {
    public LayerDecl {
        values = Map.copyOf(values);
        explicit = Set.copyOf(explicit);
        from = List.copyOf(from);
    }

    /** A layer whose parameters train normally. */
    public LayerDecl(String name, String kind, Map<String, Object> values, Set<String> explicit, SourceRef ref,
                     List<String> from, SourceRef fromRef, String origin) {
        this(name, kind, values, explicit, ref, from, fromRef, origin, false, 1.0, null);
    }

    /** A layer that takes the previous layer's output (no {@code @From}). */
    public LayerDecl(String name, String kind, Map<String, Object> values, Set<String> explicit, SourceRef ref) {
        this(name, kind, values, explicit, ref, List.of(), ref, null);
    }

    /** This layer, also frozen when {@code frozen}, its learning-rate multiplier multiplied by {@code scale}. */
    public LayerDecl training(boolean frozen, double scale) {
        return new LayerDecl(name, kind, values, explicit, ref, from, fromRef, origin, this.frozen || frozen, rateScale * scale, tensorName);
    }

    /** This layer with its tensors named {@code prefix.weight}, ... ({@code @TensorName}). */
    public LayerDecl tensorName(String prefix) {
        return new LayerDecl(name, kind, values, explicit, ref, from, fromRef, origin, frozen, rateScale, prefix);
    }

    /** The prefix of this layer's tensor names: its {@code @TensorName}, else its name. */
    public String tensorPrefix() {
        return tensorName != null ? tensorName : name;
    }

    /** Whether the layer comes from a block ({@link #origin()} then says which layer of which block, used where). */
    public boolean fromBlock() {
        return origin != null;
    }

    /** Whether the declaration names its inputs ({@code @From}); otherwise the layer takes the previous layer's output. */
    public boolean wired() {
        return !from.isEmpty();
    }

    public Object value(String attribute) {
        Object v = values.get(attribute);
        if (v == null) {
            throw new IllegalArgumentException("@" + kind + " has no value '" + attribute + "'");
        }
        return v;
    }

    public int intValue(String attribute) {
        return ((Number) value(attribute)).intValue();
    }

    public double doubleValue(String attribute) {
        return ((Number) value(attribute)).doubleValue();
    }

    public boolean booleanValue(String attribute) {
        return (Boolean) value(attribute);
    }

    public String enumValue(String attribute) {
        return (String) value(attribute);
    }

    @SuppressWarnings("unchecked")
    public List<Integer> intsValue(String attribute) {
        return (List<Integer>) value(attribute);
    }
}
