package dev.strider.processor.codegen.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * One kernel launch of a network's schedule, the form both host renderers read (the C host schedule in the
 * {@code .cu} file and the generated Java GPU engine).
 *
 * @param kernel the kernel's name
 * @param total how many outputs the grid-stride loop covers: a C and Java expression of {@code batch} and literals
 * @param args the kernel's arguments in order: {@code batch}, {@code training}, a buffer's CUDA name, or
 *     {@link #OPTIONAL_INPUT_GRAD}
 * @param onlyForInputGrad whether it runs only when the caller asked for d loss / d input (it writes nothing else)
 */
public record Launch(String kernel, String total, List<String> args, boolean onlyForInputGrad) {
    /** The argument that is the input-gradient buffer when the caller asked for it and a null pointer otherwise. */
    public static final String OPTIONAL_INPUT_GRAD = "wantInputGrad ? inputGrad : nullptr";

    public Launch {
        args = List.copyOf(args);
    }

    Launch inputGradOnly() {
        return new Launch(kernel, total, args, true);
    }

    /** This launch with {@code buffer} passed only when the input gradient is asked for (a null pointer otherwise). */
    Launch withOptionalBuffer(String buffer) {
        List<String> a = new ArrayList<>(args);
        a.replaceAll(x -> x.equals(buffer) ? OPTIONAL_INPUT_GRAD : x);
        return new Launch(kernel, total, a, onlyForInputGrad);
    }

    /** The C statement of the host schedule. */
    String c() {
        List<String> a = new ArrayList<>(args);
        String call = "STRIDER_LAUNCH(" + kernel + ", " + total + ", " + String.join(", ", a) + ");";
        return onlyForInputGrad ? "if (wantInputGrad) " + call : call;
    }
}
