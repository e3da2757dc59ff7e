package dev.strider.processor.codegen.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * One kernel launch of a network's schedule, the form both host renderers read (the C host schedule in the
 * {@code .cu} file and the generated Java GPU engine).
 *
 * <p>Two kinds of kernel: a grid-stride loop over {@code total} outputs, which any grid covers (the device picks it),
 * and a cooperative kernel (tiles in shared memory, {@code __syncthreads}) that needs exactly the grid in
 * {@code blocks}, of {@value CudaGenerator#BLOCK}-thread blocks.
 *
 * @param kernel the kernel's name
 * @param total how many outputs the grid-stride loop covers: a C and Java expression of {@code batch} and literals;
 *     for a cooperative kernel, the number of threads it runs (for the record)
 * @param args the kernel's arguments in order: {@code batch}, {@code training}, a buffer's CUDA name or an
 *     int literal
 * @param onlyForInputGrad whether it runs only when the caller asked for d loss / d input (it writes nothing else)
 * @param blocks empty for a grid-stride kernel; else the grid's x, y and z block counts, C and Java expressions of
 *     {@code batch} and literals
 * @param gate when a backward launch runs under the engine's backward plan (null outside the backward pass)
 */
public record Launch(String kernel, String total, List<String> args, boolean onlyForInputGrad, List<String> blocks, Gate gate) {
    public Launch {
        args = List.copyOf(args);
        blocks = List.copyOf(blocks);
        if (!blocks.isEmpty() && blocks.size() != 3) {
            throw new IllegalArgumentException("a cooperative launch names 3 grid dimensions, not " + blocks);
        }
    }

    /** A grid-stride launch. */
    public Launch(String kernel, String total, List<String> args, boolean onlyForInputGrad) {
        this(kernel, total, args, onlyForInputGrad, List.of(), null);
    }

    /** A launch outside the backward plan. */
    public Launch(String kernel, String total, List<String> args, boolean onlyForInputGrad, List<String> blocks) {
        this(kernel, total, args, onlyForInputGrad, blocks, null);
    }

    /**
     * When a backward launch runs, as the Java GPU engine decides it from the frozen flags (the C host schedule
     * runs every launch but those {@link #onlyForInputGrad}).
     *
     * @param kind {@code LAYER}: whenever layer {@code step}'s backward runs; {@code PARAMETERS}: when layer
     *     {@code step} computes its parameters' gradients; {@code INPUT}: when the gradient of layer {@code step}'s
     *     output is needed (it writes that gradient; step -1 is the network's input)
     */
    public record Gate(Kind kind, int step) {
        public enum Kind { LAYER, PARAMETERS, INPUT }
    }

    Launch gated(Gate g) {
        return new Launch(kernel, total, args, onlyForInputGrad, blocks, g);
    }

    /** Whether the kernel needs exactly the grid {@link #blocks} (it synchronises the threads of a block). */
    public boolean cooperative() {
        return !blocks.isEmpty();
    }

    Launch inputGradOnly() {
        return new Launch(kernel, total, args, true, blocks, gate);
    }

    /** The C statement of the host schedule. */
    String c() {
        String call = cooperative()
                ? "STRIDER_LAUNCH_BLOCKS(" + kernel + ", " + String.join(", ", blocks) + ", " + String.join(", ", args) + ");"
                : "STRIDER_LAUNCH(" + kernel + ", " + total + ", " + String.join(", ", args) + ");";
        return onlyForInputGrad ? "if (wantInputGrad) " + call : call;
    }
}
