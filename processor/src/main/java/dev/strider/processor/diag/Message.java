package dev.strider.processor.diag;

import java.util.Locale;

/**
 * Every diagnostic Strider reports, with its stable id. The id appears as {@code [strider/<id>]} at the start of
 * the message, is what {@code @SuppressWarnings("strider:<id>")} names for warnings, and is listed with an
 * example and the fix in {@code docs/errors.md}. Templates are {@link String#format} patterns; each states the
 * rule, the actual values and the fix, and ends with a period.
 */
public enum Message {
    // ---- declaration structure
    NETWORK_KIND(Severity.ERROR, "network-kind",
            "@Network must annotate a class, but %s is %s. Declare the network as an (abstract) class with one Layer field per layer."),
    MISSING_INPUT(Severity.ERROR, "missing-input",
            "Network %s has no @Input: add @Input(channels = ..., height = ..., width = ...) to the class to fix the shape of one input image."),
    NO_LAYERS(Severity.ERROR, "no-layers",
            "Network %s declares no layers: add fields of type Layer annotated with @Conv, @MaxPool, @Dense, ..."),
    LAYER_FIELD(Severity.ERROR, "layer-field",
            "\"%s\": a layer must be declared as a non-static field of type dev.strider.dsl.Layer, but this field is %s. Declare it as `Layer %s;`."),
    MULTIPLE_LAYER_ANNOTATIONS(Severity.ERROR, "multiple-layer-annotations",
            "\"%s\" has %d layer annotations (%s), but a field declares exactly one layer. Declare one field per layer (a conv or dense layer can fuse its activation with activation = ...)."),
    ORPHAN_LAYER(Severity.ERROR, "orphan-layer",
            "\"%s\" is annotated @%s, but %s is not annotated @Network, so this layer belongs to no network. Annotate the class with @Network and @Input, or remove the annotation."),
    ORPHAN_INPUT(Severity.ERROR, "orphan-input",
            "%s is annotated @Input but not @Network, so the input shape belongs to no network. Add @Network(maxBatch = ...) to the class, or remove @Input."),
    LOCAL_NETWORK(Severity.ERROR, "local-network",
            "Network %s is declared inside a method, an initializer, a lambda or an anonymous class, where annotation processors cannot see it, so it would be neither checked nor generated. Declare it as a top-level or member class."),
    UNRESOLVED_TYPE(Severity.ERROR, "unresolved-type",
            "Network %s could not be checked because %s could not be resolved. Fix the other compile errors first."),
    HIDDEN_LAYER(Severity.ERROR, "hidden-layer",
            "%s declares layer %s, but it already has a layer of that name, inherited from %s. Rename one of them: a network's layer names are unique (they name its weights)."),
    NAME_CLASH(Severity.ERROR, "name-clash",
            "Network %s generates %s, but that name is already taken (%s). Rename the network class or the other type."),

    // ---- values
    INVALID_VALUE(Severity.ERROR, "invalid-value", "%s %s."),
    GROUPS_MISMATCH(Severity.ERROR, "groups-mismatch",
            "%s: groups = %d must divide both the input channels (%d) and the output channels (%d), but %s. %s"),
    POOL_PADDING(Severity.ERROR, "pool-padding",
            "%s: padding %d is more than half the window %d, so a window could lie entirely in the padding. Use padding %d or less, or a larger window."),

    // ---- shapes
    FRACTIONAL_OUTPUT(Severity.ERROR, "fractional-output",
            "%s: output %s (%d - %d + 2*%d)/%d + 1 = %s is not a whole number%s, so the windows do not tile the input. %s"),
    KERNEL_TOO_LARGE(Severity.ERROR, "kernel-too-large",
            "%s: the %s %s %d%s is larger than the padded input %s %d + 2*%d = %d, so the output %s would be %s (less than 1). Input path: %s. Use a smaller %s, more padding, or less downsampling before this layer."),
    NEEDS_SPATIAL_INPUT(Severity.ERROR, "needs-spatial-input",
            "%s needs a spatial [channels,height,width] input, but %s produces the flat shape %s. Input path: %s. Move this layer before the first flatten or dense layer."),
    SIZE_OVERFLOW(Severity.ERROR, "size-overflow",
            "%s: %s %,d values, more than a Java array can hold (2^31 - 1 = 2,147,483,647). %s"),

    // ---- wiring (@From, merges)
    UNKNOWN_INPUT(Severity.ERROR, "unknown-input",
            "%s takes input \"%s\" (@From), but %s. A layer may take \"input\" or an earlier layer (so a network has no cycles); earlier layers: %s."),
    INPUT_COUNT(Severity.ERROR, "input-count",
            "%s %s. %s"),
    MERGE_SHAPES(Severity.ERROR, "merge-shapes",
            "%s %s, but %s. %s"),

    BLOCK_USE(Severity.ERROR, "block-use",
            "Use \"%s\": %s. %s"),
    BLOCK_BIND(Severity.ERROR, "block-bind",
            "@Bind on %s: %s. Bind a number attribute of the layer to a parameter the @Block declares, as \"attribute=param\"."),
    TENSOR_NAME(Severity.ERROR, "tensor-name",
            "@TensorName on %s: %s. %s"),
    LEARNING_RATE(Severity.ERROR, "learning-rate",
            "@LearningRate on %s: %s is not a positive, finite multiplier. To keep a layer from learning, use @Frozen."),

    // ---- network-level rules
    SOFTMAX_NOT_LAST(Severity.ERROR, "softmax-not-last",
            "%s is layer %d of %d, but with loss = SOFTMAX_CROSS_ENTROPY the softmax is fused into the loss and may only be the last layer. Remove it, or train with loss = MEAN_SQUARED_ERROR."),
    ENGINE_TOO_LARGE(Severity.ERROR, "engine-too-large",
            "Network %s's engine would allocate %s at maxBatch = %,d (weights and their gradients %s, activations and their gradients %s, backward state and scratch %s), more than the limit of %s set by -Astrider.maxEngineMemory. %s"),
    EXPECT_PARAMS(Severity.ERROR, "expect-params",
            "Network %s has %,d trainable parameters, but expectParams = %,d (%s than expected). Per layer: %s."),

    // ---- warnings
    LARGE_POOL_WINDOW(Severity.WARNING, "large-pool-window",
            "%s: a %s window larger than 3 discards most of its input (windows of 2 or 3 with stride 2 are usual). Suppress with @SuppressWarnings(\"strider:large-pool-window\")."),
    STRIDE_OVER_WINDOW(Severity.WARNING, "stride-over-window",
            "%s: stride %d is larger than the window %d, so %d of every %d input %s never seen. Use stride <= window, or suppress with @SuppressWarnings(\"strider:stride-over-window\")."),
    NO_NONLINEARITY(Severity.WARNING, "no-nonlinearity",
            "%s follows %s with no nonlinearity in between, and two linear layers compose to a single linear layer. Add an activation (e.g. activation = RELU on \"%s\"), or suppress with @SuppressWarnings(\"strider:no-nonlinearity\")."),

    UNUSED_OUTPUT(Severity.WARNING, "unused-output",
            "%s's output is taken by no layer, and only the last layer's output is the network's, so it would be computed for nothing. Take it with @From in a later layer, remove the layer, or suppress with @SuppressWarnings(\"strider:unused-output\")."),

    // ---- the processor itself
    INTERNAL_ERROR(Severity.ERROR, "internal-error",
            "Internal error in the Strider processor while checking network %s%s: %s. This is a bug in Strider, not in your code: please report it with this declaration.");

    private final Severity severity;
    private final String id;
    private final String template;

    Message(Severity severity, String id, String template) {
        this.severity = severity;
        this.id = id;
        this.template = template;
    }

    public Severity severity() {
        return severity;
    }

    /** The stable id, e.g. {@code fractional-output}. */
    public String id() {
        return id;
    }

    /** The full message text: {@code [strider/<id>] } followed by the formatted template. */
    public String format(Object... args) {
        return "[strider/" + id + "] " + String.format(Locale.ROOT, template, args);
    }
}
