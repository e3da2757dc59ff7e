package dev.strider.processor.model;

import dev.strider.dsl.Loss;
import dev.strider.dsl.Rounding;
import java.util.List;

/**
 * A network as the user declared it. {@code networkRef} points at {@code @Network}, {@code inputRef} at
 * {@code @Input}. The input values are as written (validated later) and meaningless when {@code !hasInput}.
 * {@code inferenceOnly}: the engine runs forward only, its layer outputs in planned shared arrays.
 * {@code complete} is false when the read phase already reported a structural error (a malformed layer field, no
 * {@code @Input}): the values of what was read are still checked, but not the shapes.
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
        boolean inferenceOnly,
        List<LayerDecl> layers,
        SourceRef networkRef,
        SourceRef inputRef,
        boolean hasInput,
        boolean complete) {
    public NetworkDecl {
        layers = List.copyOf(layers);
    }
}
