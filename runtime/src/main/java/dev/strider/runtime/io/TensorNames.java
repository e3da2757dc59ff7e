package dev.strider.runtime.io;

/**
 * How a weights file names an engine's tensors. Strider names a tensor {@code <layer>.<role>} ({@code c1.weight},
 * {@code bn1.running_mean}); a layer's name is a Java identifier, so PyTorch's nested module paths
 * ({@code layer1.0.conv1}) are declared with underscores ({@code layer1_0_conv1}).
 */
@FunctionalInterface
public interface TensorNames {
    /** Strider's own names, as {@link Weights#save} writes them. */
    TensorNames STRIDER = name -> name;

    /**
     * torchvision's {@code state_dict} names: the layer part's underscores become dots, so {@code layer1_0_conv1.weight}
     * is read from {@code layer1.0.conv1.weight} and {@code features_0.bias} from {@code features.0.bias}. Declare the
     * layers with torchvision's module paths, dots written as underscores (the ResNet-18 sample does).
     */
    TensorNames TORCHVISION = name -> {
        int dot = name.lastIndexOf('.');
        return name.substring(0, dot).replace('_', '.') + name.substring(dot);
    };

    /** The name in the file of the engine's tensor {@code name}. */
    String inFile(String name);

    /** The names {@code option} stands for: {@code strider} or {@code torchvision}. */
    static TensorNames named(String option) {
        return switch (option) {
            case "strider" -> STRIDER;
            case "torchvision" -> TORCHVISION;
            default -> throw new IllegalArgumentException("unknown tensor naming \"" + option + "\": strider or torchvision");
        };
    }
}
