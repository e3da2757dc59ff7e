package dev.strider.processor.codegen.java;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeSpec;

/**
 * The one place that decorates every generated class: {@code @Generated} naming the processor (no date, so the
 * output is deterministic) and the warnings generated code is allowed to have.
 */
public final class GeneratedAnnotation {
    static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");
    static final String PROCESSOR = "dev.strider.processor.StriderProcessor";

    private GeneratedAnnotation() {}

    public static void add(TypeSpec.Builder type) {
        type.addAnnotation(AnnotationSpec.builder(GENERATED).addMember("value", "$S", PROCESSOR).build());
        type.addAnnotation(AnnotationSpec.builder(SuppressWarnings.class).addMember("value", "$S", "all").build());
    }
}
