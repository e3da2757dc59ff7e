package dev.strider.processor.model;

import dev.strider.dsl.Loss;
import dev.strider.dsl.Rounding;
import java.util.List;

/**
 * A network as the user declared it. {@code networkRef} points at {@code @Network}, {@code inputRef} at
 * {@code @Input}. {@code input} holds the values as written (they are validated later).
 */
public record NetworkDecl(
        String qualifiedName,
        String simpleName,
        String packageName,
        String generatedSimpleName,
        boolean isPublic,
        long inputChannels,
        long inputHeight,
        long inputWidth,
        int maxBatch,
        long expectParams,
        Loss loss,
        Rounding rounding,
        List<LayerDecl> layers,
        SourceRef networkRef,
        SourceRef inputRef) {
    public NetworkDecl {
        layers = List.copyOf(layers);
    }
}
