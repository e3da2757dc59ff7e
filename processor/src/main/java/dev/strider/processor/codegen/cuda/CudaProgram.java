package dev.strider.processor.codegen.cuda;

import java.util.List;

/**
 * A network rendered for CUDA: the C source, and the host-side schedule in structured form for the generated Java
 * GPU engine (the same launches as the source's {@code STRIDER_HOST_SCHEDULE} functions).
 *
 * @param source the {@code .cu} file
 * @param buffers every device buffer, in table order
 * @param forward the forward pass's launches
 * @param loss the loss kernel's launch (writes per-image losses and d loss / d output)
 * @param backward the backward pass's launches, last layer first
 */
public record CudaProgram(String source, List<Buffer> buffers, List<Launch> forward, Launch loss, List<Launch> backward) {
    /**
     * One device buffer.
     *
     * @param name its name in the CUDA source
     * @param field the Java engine's field it mirrors ({@code input}, {@code inputGrad}, {@code labels}, {@code targets},
     *     {@code lossPerImage} for the buffers the Java engine has no field for)
     * @param length its length at the largest batch
     * @param isInt whether it holds ints (labels, max-pool argmax) rather than floats
     */
    public record Buffer(String name, String field, long length, boolean isInt) {}

    public CudaProgram {
        buffers = List.copyOf(buffers);
        forward = List.copyOf(forward);
        backward = List.copyOf(backward);
    }
}
