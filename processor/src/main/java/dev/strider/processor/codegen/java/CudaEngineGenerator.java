package dev.strider.processor.codegen.java;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.strider.dsl.Loss;
import dev.strider.processor.codegen.cuda.CudaProgram;
import dev.strider.processor.codegen.cuda.Launch;
import dev.strider.processor.lower.EnginePlan;
import dev.strider.processor.lower.EnginePlan.Step;
import dev.strider.processor.lower.Kernel;
import dev.strider.processor.lower.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.lang.model.element.Element;
import javax.lang.model.element.Modifier;

/**
 * Generates {@code <Network>CudaEngine}: the GPU engine, the {@link CudaProgram}'s buffer table and launch schedule
 * as Java over the runtime's {@code CudaEngine}, one named constant per device buffer. The kernels themselves are
 * the {@code .cu} resource (and its PTX); this class only says which to launch, over how many outputs, on which
 * buffers, in which order: the same schedule as the {@code .cu} file's own host functions.
 */
public final class CudaEngineGenerator {
    static final ClassName CUDA_ENGINE = ClassName.get("dev.strider.runtime.cuda", "CudaEngine");
    static final ClassName DEVICE = ClassName.get("dev.strider.runtime.cuda", "Device");
    static final ClassName JCUDA_DEVICE = ClassName.get("dev.strider.runtime.cuda", "JCudaDevice");
    static final ClassName MODULE_SOURCE = ClassName.get("dev.strider.runtime.cuda", "ModuleSource");
    /** Launch statements per method: about 100 bytes of bytecode each, well under HotSpot's 8,000-byte limit. */
    static final int LAUNCHES_PER_METHOD = 50;
    static final int BUFFERS_PER_METHOD = 200;
    /** The base class's constants for the first four buffers of every table. */
    private static final List<String> FIXED = List.of("INPUT", "INPUT_GRAD", "TARGET", "LOSS_PER_IMAGE");
    private static final ParameterSpec BATCH = ParameterSpec.builder(TypeName.INT, "batch").build();
    private static final ParameterSpec TRAINING = ParameterSpec.builder(TypeName.INT, "training").build();
    private static final ParameterSpec WANT_INPUT_GRAD = ParameterSpec.builder(TypeName.BOOLEAN, "wantInputGrad").build();

    private CudaEngineGenerator() {}

    public static String className(EnginePlan plan) {
        return plan.network().decl().generatedSimpleName() + "CudaEngine";
    }

    public static JavaFile generate(EnginePlan plan, CudaProgram program, Element origin) {
        var d = plan.network().decl();
        ClassName self = ClassName.get(d.packageName(), className(plan));
        ClassName javaEngine = ClassName.get(d.packageName(), EngineGenerator.className(plan));
        TypeSpec.Builder type = TypeSpec.classBuilder(self)
                .addModifiers(Modifier.FINAL)
                .superclass(CUDA_ENGINE)
                .addOriginatingElement(origin)
                .addJavadoc("The GPU engine of {@link $L}: the same API and results as {@link $T}, with the kernels of\n", d.qualifiedName(), javaEngine)
                .addJavadoc("{@code META-INF/strider/$L.cu} and everything a training step touches resident on the device.\n\n", d.qualifiedName())
                .addJavadoc("<p>Input: $L floats per image (NCHW); output: $L per image. Batches of 1 to $L images.\n",
                        plan.inputSize(), plan.outputSize(), plan.maxBatch())
                .addJavadoc("Usually obtained through {@link $T#create}; {@link #close()} frees the device memory.\n", javaEngine);
        if (d.isPublic()) {
            type.addModifiers(Modifier.PUBLIC);
        }
        GeneratedAnnotation.add(type);
        type.addField(EngineGenerator.intConstant("MAX_BATCH", plan.maxBatch(), "Largest batch a call may pass."));
        type.addField(EngineGenerator.intConstant("INPUT_SIZE", plan.inputSize(), "Values per input image."));
        type.addField(EngineGenerator.intConstant("OUTPUT_SIZE", plan.outputSize(), "Values per output."));

        // one constant per buffer, named after the CUDA buffer (the Java engine's field)
        Map<String, String> constant = new HashMap<>();
        Set<String> taken = new HashSet<>(List.of("MAX_BATCH", "INPUT_SIZE", "OUTPUT_SIZE"));
        taken.addAll(FIXED);
        List<CodeBlock> declarations = new ArrayList<>();
        for (int i = 0; i < program.buffers().size(); i++) {
            CudaProgram.Buffer b = program.buffers().get(i);
            String name;
            if (i < FIXED.size()) {
                name = FIXED.get(i);
            } else {
                name = upperSnake(b.name());
                while (!taken.add(name)) {
                    name = name + "_" + i;
                }
                type.addField(FieldSpec.builder(TypeName.INT, name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc("Device buffer $L: $L, $L $L values at batch $L.\n", i, b.field(), b.length(), b.isInt() ? "int" : "float",
                                plan.maxBatch())
                        .initializer("$L", i).build());
            }
            constant.put(b.name(), name);
            declarations.add(CodeBlock.of("buffer($S, $LL, $L)", b.name(), b.length(), b.isInt()));
        }
        Map<String, String> byField = new HashMap<>();
        for (CudaProgram.Buffer b : program.buffers()) {
            byField.put(b.field(), constant.get(b.name()));
        }

        List<CodeBlock> registrations = new ArrayList<>();
        for (Step s : plan.steps()) {
            Kernel k = s.kernel();
            registrations.add(EngineGenerator.stepRegistration(plan, s));
            if (!(k instanceof Kernel.Alias)) {
                registrations.add(CodeBlock.of("addLayer($S, $L, $L, $L)", s.name(), byField.get(s.out()), byField.get(s.outGrad()), k.outSize()));
            }
            for (Tensor t : s.tensors()) {
                String shape = t.shape().stream().map(String::valueOf).collect(Collectors.joining(", "));
                if (t.trainable()) {
                    registrations.add(CodeBlock.of("addParameter($S, new int[] {$L}, $L, $L, $T.$L, $L, $L)", t.name(), shape,
                            byField.get(t.field()), byField.get(t.gradField()), EngineGenerator.INIT, t.init(), t.fanIn(), t.fanOut()));
                } else {
                    registrations.add(CodeBlock.of("addBuffer($S, new int[] {$L}, $L, $T.$L)", t.name(), shape, byField.get(t.field()),
                            EngineGenerator.INIT, t.init()));
                }
            }
            if (k instanceof Kernel.Dropout drop) {
                // the same literals as the Java engine's mask, so that both draw the same masks from the same stream
                registrations.add(CodeBlock.of("addDropout($L, $L, $Lf, $Lf)", byField.get(s.name() + "Mask"), drop.size(),
                        1 - drop.rate(), 1 / (1 - drop.rate())));
            }
        }

        registrations.addAll(EngineGenerator.training(plan));
        MethodSpec.Builder constructor = MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                .addParameter(DEVICE, "device")
                .addJavadoc("Loads the kernels on {@code device} and allocates every buffer there (zeroed; parameters are zero until\n")
                .addJavadoc("{@link #initialize(long)} or a weights load). On failure {@code device} is closed and the exception says why.\n")
                .addStatement("super(device, $S, $L, $L, $L, $L, $L)", d.simpleName(), plan.inputSize(), plan.outputSize(),
                        plan.maxBatch(), plan.loss() == Loss.SOFTMAX_CROSS_ENTROPY, plan.softmaxOutput());
        if (plan.inferenceOnly()) {
            // (the GPU engine keeps the buffers of one that trains, and refuses the training calls as the Java engine does)
            constructor.addStatement("inferenceOnly(true)");
        }
        for (CodeBlock call : EngineGenerator.chunk(type, "declareBuffers", declarations, BUFFERS_PER_METHOD)) {
            constructor.addStatement(call);
        }
        constructor.addStatement("output($L, $L)", byField.get(plan.outputBuffer()), byField.get(plan.outputGradBuffer()));
        for (CodeBlock call : EngineGenerator.chunk(type, "register", registrations, EngineGenerator.REGISTRATIONS_PER_METHOD)) {
            constructor.addStatement(call);
        }
        for (Step s : plan.steps()) {
            if (s.kernel() instanceof Kernel.BatchNorm bn && bn.plane() == 1) {
                constructor.addStatement("requireTrainingBatch(2, $S)", s.name());
            }
        }
        constructor.addStatement("start($T.fromResources($T.class, $S))", MODULE_SOURCE, self, d.qualifiedName());
        type.addMethod(constructor.build());

        type.addMethod(MethodSpec.methodBuilder("open").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(self)
                .addJavadoc("The engine on CUDA device 0; {@code CudaUnavailableException} saying why when there is no usable GPU.\n")
                .addStatement("return new $T($T.open())", self, JCUDA_DEVICE).build());

        List<CodeBlock> forward = new ArrayList<>();
        for (Launch l : program.forward()) {
            forward.add(launch(l, constant));
        }
        List<CodeBlock> backward = new ArrayList<>();
        for (Launch l : program.backward()) {
            backward.add(launch(l, constant));
        }
        MethodSpec.Builder launchForward = MethodSpec.methodBuilder("launchForward").addAnnotation(Override.class)
                .addModifiers(Modifier.PROTECTED).addParameter(BATCH).addParameter(TRAINING)
                .addJavadoc("Every layer's forward kernels, in order ($L launches).\n", forward.size());
        for (CodeBlock c : EngineGenerator.chunk(type, "launchForwardPart", forward, LAUNCHES_PER_METHOD, BATCH, TRAINING)) {
            launchForward.addStatement(c);
        }
        type.addMethod(launchForward.build());
        type.addMethod(MethodSpec.methodBuilder("launchLoss").addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
                .addParameter(BATCH).addJavadoc("The loss: per-image losses and d loss / d output.\n")
                .addStatement(launch(program.loss(), constant)).build());
        MethodSpec.Builder launchBackward = MethodSpec.methodBuilder("launchBackward").addAnnotation(Override.class)
                .addModifiers(Modifier.PROTECTED).addParameter(BATCH).addParameter(TRAINING).addParameter(WANT_INPUT_GRAD)
                .addJavadoc("Every layer's backward kernels, last layer first ($L launches).\n", backward.size());
        for (CodeBlock c : EngineGenerator.chunk(type, "launchBackwardPart", backward, LAUNCHES_PER_METHOD, BATCH, TRAINING, WANT_INPUT_GRAD)) {
            launchBackward.addStatement(c);
        }
        type.addMethod(launchBackward.build());
        return JavaFile.builder(d.packageName(), type.build()).skipJavaLangImports(true).indent("    ").build();
    }

    /** One launch as a Java statement (an {@code if} for launches that only compute the input gradient). */
    private static CodeBlock launch(Launch l, Map<String, String> constant) {
        List<String> args = new ArrayList<>();
        for (String a : l.args()) {
            if (a.equals("batch") || a.equals("training") || a.matches("batch \\* \\d+|\\d+")) {
                args.add(a);
            } else {
                String c = constant.get(a);
                if (c == null) {
                    throw new IllegalStateException("launch of " + l.kernel() + " names no buffer " + a);
                }
                args.add("buf(" + c + ")");
            }
        }
        CodeBlock call;
        if (l.cooperative()) {
            call = CodeBlock.of("launchBlocks($S, $L, $L)", l.kernel(), String.join(", ", l.blocks()), String.join(", ", args));
        } else {
            String total = l.total().contains("batch") ? "(long) " + l.total() : l.total() + "L";
            call = CodeBlock.of("launch($S, $L, $L)", l.kernel(), total, String.join(", ", args));
        }
        Launch.Gate g = l.gate();
        if (g == null) {
            return l.onlyForInputGrad() ? CodeBlock.of("if (wantInputGrad) $L", call) : call;
        }
        return switch (g.kind()) {
            case LAYER -> CodeBlock.of("if (gradientNeeded($L)) $L", g.step(), call);
            case PARAMETERS -> CodeBlock.of("if (parameterGradients($L)) $L", g.step(), call);
            case INPUT -> g.step() < 0 ? CodeBlock.of("if (wantInputGrad) $L", call) : CodeBlock.of("if (gradientNeeded($L)) $L", g.step(), call);
        };
    }

    /** {@code c1WeightGrad} to {@code C1_WEIGHT_GRAD}. */
    static String upperSnake(String camel) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c) && i > 0 && camel.charAt(i - 1) != '_') {
                out.append('_');
            }
            out.append(Character.toUpperCase(c));
        }
        return out.toString().toUpperCase(Locale.ROOT);
    }
}
