package dev.strider.processor.codegen.java;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.strider.processor.codegen.report.JsonReport;
import dev.strider.processor.model.Shape;
import dev.strider.processor.validate.CheckedNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.lang.model.element.Element;
import javax.lang.model.element.Modifier;

/**
 * Generates {@code <Network>Spec}: the network's compile-time facts as constants (parameters, MACs, input and
 * output sizes) and its summary table.
 */
public final class SpecGenerator {
    /** Longest string literal emitted in one piece (the class-file limit is 65,535 bytes of modified UTF-8). */
    static final int MAX_LITERAL = 16_000;

    private SpecGenerator() {}

    public static String className(CheckedNetwork n) {
        return n.decl().generatedSimpleName() + "Spec";
    }

    public static JavaFile generate(CheckedNetwork n, String summary, Element origin) {
        var d = n.decl();
        ClassName self = ClassName.get(d.packageName(), className(n));
        Shape in = n.input();
        Shape out = n.output();
        TypeSpec.Builder type = TypeSpec.classBuilder(self)
                .addModifiers(Modifier.FINAL)
                .addOriginatingElement(origin)
                .addJavadoc("Compile-time facts of {@link $L}, checked by Strider: shapes, parameter counts and MACs.\n\n",
                        d.qualifiedName())
                .addJavadoc("<pre>\n$L</pre>\n", javadocSafe(summary));
        if (d.isPublic()) {
            type.addModifiers(Modifier.PUBLIC);
        }
        GeneratedAnnotation.add(type);
        type.addField(constant(TypeName.LONG, "PARAMS", n.params(), "Trainable parameters."));
        type.addField(constant(TypeName.LONG, "NON_TRAINABLE_PARAMS", n.nonTrainableParams(),
                "Non-trainable state (batch-norm running mean and variance), not counted in {@link #PARAMS}."));
        type.addField(constant(TypeName.LONG, "MACS", n.macs(), "Multiply-accumulates of one forward pass, per image."));
        type.addField(constant(TypeName.INT, "MAX_BATCH", d.maxBatch(), "Largest batch the engine is built for."));
        type.addField(constant(TypeName.INT, "INPUT_CHANNELS", in.channels(), "Input shape: channels."));
        type.addField(constant(TypeName.INT, "INPUT_HEIGHT", in.height(), "Input shape: height."));
        type.addField(constant(TypeName.INT, "INPUT_WIDTH", in.width(), "Input shape: width."));
        type.addField(constant(TypeName.INT, "INPUT_SIZE", in.size(), "Values per input image: " + in.channels() + "*"
                + in.height() + "*" + in.width() + "."));
        type.addField(constant(TypeName.INT, "OUTPUT_SIZE", out.size(), "Values per output: " + out + "."));
        type.addField(FieldSpec.builder(String.class, "REPORT_RESOURCE", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Class-path resource holding the JSON report of this network.\n")
                .initializer("$S", JsonReport.resourcePath(d.qualifiedName()))
                .build());
        type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
        addSummary(type, summary);
        return JavaFile.builder(d.packageName(), type.build()).skipJavaLangImports(true).indent("    ").build();
    }

    private static FieldSpec constant(TypeName type, String name, long value, String doc) {
        CodeBlock init = type == TypeName.LONG ? CodeBlock.of("$LL", grouped(value)) : CodeBlock.of("$L", grouped(value));
        return FieldSpec.builder(type, name, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L\n", doc)
                .initializer(init)
                .build();
    }

    /** {@code 61_706}: digits grouped as a reader would write them. */
    private static String grouped(long v) {
        return String.format(Locale.ROOT, "%,d", v).replace(',', '_');
    }

    /** {@code summary()}, split into literal-sized pieces so that no constant exceeds the class-file limit. */
    private static void addSummary(TypeSpec.Builder type, String summary) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        for (String line : summary.split("\n", -1)) {
            if (part.length() + line.length() + 1 > MAX_LITERAL && part.length() > 0) {
                parts.add(part.toString());
                part.setLength(0);
            }
            part.append(line).append('\n');
        }
        parts.add(part.substring(0, part.length() - 1));
        MethodSpec.Builder summaryMethod = MethodSpec.methodBuilder("summary")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .returns(String.class)
                .addJavadoc("The summary table: per layer output shape, parameters, MACs and receptive field; totals and memory.\n");
        if (parts.size() == 1) {
            summaryMethod.addStatement("return $S", parts.get(0));
        } else {
            CodeBlock.Builder concat = CodeBlock.builder();
            for (int i = 0; i < parts.size(); i++) {
                String name = "summaryPart" + i;
                type.addMethod(MethodSpec.methodBuilder(name)
                        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                        .returns(String.class)
                        .addStatement("return $S", parts.get(i))
                        .build());
                concat.add(i == 0 ? "$N()" : " + $N()", name);
            }
            summaryMethod.addStatement("return $L", concat.build());
        }
        type.addMethod(summaryMethod.build());
    }

    private static String javadocSafe(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("@", "&#64;").replace("*/", "*&#47;");
    }
}
