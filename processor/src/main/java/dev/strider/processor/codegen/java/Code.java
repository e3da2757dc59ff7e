package dev.strider.processor.codegen.java;

import com.palantir.javapoet.CodeBlock;

/** A thin, readable layer over {@link CodeBlock.Builder} for emitting loops. */
final class Code {
    private final CodeBlock.Builder b = CodeBlock.builder();

    /** A statement; JavaPoet {@code $L}/{@code $N} placeholders. */
    Code line(String format, Object... args) {
        b.addStatement(format, args);
        return this;
    }

    Code comment(String format, Object... args) {
        b.add("// " + format + "\n", args);
        return this;
    }

    Code open(String format, Object... args) {
        b.beginControlFlow(format, args);
        return this;
    }

    Code orElse(String format, Object... args) {
        b.nextControlFlow(format, args);
        return this;
    }

    Code close() {
        b.endControlFlow();
        return this;
    }

    Code add(CodeBlock block) {
        b.add(block);
        return this;
    }

    CodeBlock build() {
        return b.build();
    }
}
