package dev.strider.processor.codegen.cuda;

import java.util.Locale;

/** An indenting text builder for CUDA C: {@code line}, {@code open}/{@code close} braces, comments. */
final class CudaSource {
    private final StringBuilder text = new StringBuilder();
    private int depth;

    /** A line; {@code %s}, {@code %d} placeholders formatted in the root locale. */
    CudaSource line(String format, Object... args) {
        text.append("    ".repeat(depth)).append(String.format(Locale.ROOT, format, args)).append('\n');
        return this;
    }

    CudaSource blank() {
        text.append('\n');
        return this;
    }

    CudaSource comment(String format, Object... args) {
        return line("// " + format, args);
    }

    /** {@code format} followed by an opening brace. */
    CudaSource open(String format, Object... args) {
        line(format + " {", args);
        depth++;
        return this;
    }

    /** Opens a bare scope: {@code {}. */
    CudaSource scope() {
        line("{");
        depth++;
        return this;
    }

    /** Closes a block and opens the next: {@code } else {}. */
    CudaSource orElse() {
        depth--;
        line("} else {");
        depth++;
        return this;
    }

    CudaSource close() {
        depth--;
        return line("}");
    }

    /** A float literal C reads back as exactly {@code v}. */
    static String f(float v) {
        if (Float.isInfinite(v) || Float.isNaN(v)) {
            throw new IllegalArgumentException("no CUDA literal for " + v);
        }
        return Float.toString(v) + "f";
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
