package dev.strider.processor.read;

import java.util.List;

/** Qualified names of the DSL types the processor reads. */
public final class DslNames {
    public static final String PACKAGE = "dev.strider.dsl";
    public static final String NETWORK = PACKAGE + ".Network";
    public static final String INPUT = PACKAGE + ".Input";
    public static final String LAYER_TYPE = PACKAGE + ".Layer";
    public static final String FROM = PACKAGE + ".From";
    public static final String FROZEN = PACKAGE + ".Frozen";
    public static final String LEARNING_RATE = PACKAGE + ".LearningRate";
    public static final String TENSOR_NAME = PACKAGE + ".TensorName";
    public static final String BLOCK = PACKAGE + ".Block";
    public static final String USE = PACKAGE + ".Use";
    public static final String BIND = PACKAGE + ".Bind";
    /** The DSL's annotations that wire layers and blocks (not layers themselves). */
    public static final java.util.List<String> WIRING = java.util.List.of(FROM, BLOCK, USE, BIND, PACKAGE + ".Arg", FROZEN, LEARNING_RATE, TENSOR_NAME);
    /** Simple names of the layer annotations, which are also the layer kinds of the model. */
    public static final List<String> LAYER_KINDS = List.of(
            "Conv", "MaxPool", "AvgPool", "GlobalAvgPool", "Dense", "Flatten", "Dropout", "BatchNorm",
            "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "Add", "Concat", "ReLU6", "Identity", "LRN", "ConvTranspose", "Upsample",
            "AdaptiveAvgPool", "ChannelShuffle", "L2Pool");
    /** Qualified names of every layer annotation. */
    public static final List<String> LAYER_ANNOTATIONS = LAYER_KINDS.stream().map(k -> PACKAGE + "." + k).toList();

    private DslNames() {}

    /** The layer kind ({@code Conv}) for a qualified annotation name, or {@code null} if it is no layer annotation. */
    public static String layerKind(String qualifiedAnnotationName) {
        return LAYER_ANNOTATIONS.contains(qualifiedAnnotationName)
                ? qualifiedAnnotationName.substring(PACKAGE.length() + 1)
                : null;
    }
}
