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
import dev.strider.processor.lower.EngineArray;
import dev.strider.processor.lower.EnginePlan;
import dev.strider.processor.lower.EnginePlan.Step;
import dev.strider.processor.lower.Kernel;
import dev.strider.processor.lower.MemoryPlan;
import dev.strider.processor.lower.Tensor;
import dev.strider.processor.validate.CheckedLayer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Element;
import javax.lang.model.element.Modifier;

/**
 * Generates {@code <Network>Engine}: the network as plain Java with every shape a constant, one forward and one
 * backward method per layer (named after it, with the shape arithmetic in its Javadoc), all arrays allocated once
 * in the constructor. Long sequences of statements are split over several methods so that no method comes near
 * HotSpot's 8,000-byte compilation limit.
 */
public final class EngineGenerator {
    static final ClassName GENERATED_ENGINE = ClassName.get("dev.strider.runtime.engine", "GeneratedEngine");
    static final ClassName INIT = ClassName.get("dev.strider.runtime.engine", "Init");
    /**
     * Statements per helper method for the straight-line parts (allocation, registration, layer calls). An
     * allocation is at most about 45 bytes of bytecode (a convolution's {@code ImplicitConv} and its 14 constants).
     */
    static final int ALLOCATIONS_PER_METHOD = 100;
    static final int REGISTRATIONS_PER_METHOD = 40;

    /**
     * The declared training of each parameter: {@code @Frozen} layers' parameters start frozen, {@code @LearningRate}
     * sets their learning-rate multiplier (after the parameters are registered).
     */
    static List<CodeBlock> training(EnginePlan plan) {
        List<CodeBlock> out = new ArrayList<>();
        for (Step s : plan.steps()) {
            var decl = s.layer().layer().decl();
            for (dev.strider.processor.lower.Tensor t : s.tensors()) {
                if (!t.trainable()) {
                    continue;
                }
                if (decl.frozen()) {
                    out.add(CodeBlock.of("parameter($S).setFrozen(true)", t.name()));
                }
                if (decl.rateScale() != 1.0) {
                    out.add(CodeBlock.of("parameter($S).setLearningRateScale($Lf)", t.name(), (float) decl.rateScale()));
                }
            }
        }
        return out;
    }
    static final int CALLS_PER_METHOD = 400;
    private static final ParameterSpec FROM = ParameterSpec.builder(TypeName.INT, "from").build();
    private static final ParameterSpec TO = ParameterSpec.builder(TypeName.INT, "to").build();
    private static final ParameterSpec LANE = ParameterSpec.builder(TypeName.INT, "lane").build();

    private EngineGenerator() {}

    public static String className(EnginePlan plan) {
        return plan.network().decl().generatedSimpleName() + "Engine";
    }

    public static JavaFile generate(EnginePlan plan, Element origin) {
        var d = plan.network().decl();
        boolean inference = plan.inferenceOnly();
        MemoryPlan memory = inference ? plan.memory() : null;
        ClassName self = ClassName.get(d.packageName(), className(plan));
        ClassName spec = ClassName.get(d.packageName(), SpecGenerator.className(plan.network()));
        TypeSpec.Builder type = TypeSpec.classBuilder(self)
                .addModifiers(Modifier.FINAL)
                .superclass(GENERATED_ENGINE)
                .addOriginatingElement(origin)
                .addJavadoc(inference
                        ? "The Java engine of {@link $L}: inference only, at fixed shapes, its layer outputs in the arrays of a static memory plan.\n\n"
                        : "The Java engine of {@link $L}: forward, backward and training at fixed shapes.\n\n", d.qualifiedName())
                .addJavadoc("<p>Input: $L floats per image (NCHW); output: $L per image$L. Batches of 1 to $L images.\n",
                        plan.inputSize(), plan.outputSize(), plan.softmaxOutput() ? " (probabilities)" : "", plan.maxBatch())
                .addJavadoc("Shapes, parameters and MACs: {@link $T#summary()}. Not thread-safe: use one engine per thread.\n", spec);
        if (d.isPublic()) {
            type.addModifiers(Modifier.PUBLIC);
        }
        GeneratedAnnotation.add(type);
        type.addField(intConstant("MAX_BATCH", plan.maxBatch(), "Largest batch a call may pass."));
        type.addField(intConstant("INPUT_SIZE", plan.inputSize(), "Values per input image."));
        type.addField(intConstant("OUTPUT_SIZE", plan.outputSize(), "Values per output."));
        type.addField(FieldSpec.builder(float[].class, EnginePlan.INPUT, Modifier.PRIVATE)
                .addJavadoc(inference ? "The caller's input of the forward pass in progress.\n"
                        : "The caller's input of the last forward pass (read again by the first layer's backward).\n").build());
        if (!inference) {
            type.addField(FieldSpec.builder(float[].class, EnginePlan.INPUT_GRAD, Modifier.PRIVATE)
                    .addJavadoc("Where the first layer's backward writes d loss / d input; null when not asked for.\n").build());
        }

        List<CodeBlock> allocations = new ArrayList<>();
        List<CodeBlock> registrations = new ArrayList<>();
        if (inference) {
            type.addField(FieldSpec.builder(float[].class, OUTPUT_BATCH, Modifier.PRIVATE)
                    .addJavadoc("The network's output for the whole batch ($L per image): each image's is copied here from its thread's arrays.\n",
                            plan.outputSize()).build());
            allocations.add(CodeBlock.of("$N = new float[$L]", OUTPUT_BATCH, plan.maxBatch() * plan.outputSize()));
        }
        List<CodeBlock> derives = new ArrayList<>();
        for (Step s : plan.steps()) {
            addLayerState(type, plan, s, allocations, registrations, derives);
        }
        registrations.addAll(training(plan));
        MethodSpec.Builder constructor = MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                .addJavadoc("Allocates every array of the engine; parameters are zero until {@link #initialize(long)} or a weights load.\n")
                .addStatement("super($S, $L, $L, $L, LossKind.$L, $L)", d.simpleName(), plan.inputSize(), plan.outputSize(),
                        plan.maxBatch(), plan.loss() == Loss.SOFTMAX_CROSS_ENTROPY ? "SOFTMAX_CROSS_ENTROPY" : "MEAN_SQUARED_ERROR",
                        plan.softmaxOutput());
        if (inference) {
            constructor.addStatement("inferenceOnly(true)");
        }
        for (CodeBlock call : chunk(type, "allocate", allocations, ALLOCATIONS_PER_METHOD)) {
            constructor.addStatement(call);
        }
        for (CodeBlock call : chunk(type, "register", registrations, REGISTRATIONS_PER_METHOD)) {
            constructor.addStatement(call);
        }
        if (inference) {
            addMemoryPlan(memory, constructor);
        }
        for (Step s : plan.steps()) {
            if (!inference && s.kernel() instanceof Kernel.BatchNorm bn && bn.plane() == 1) {
                constructor.addStatement("requireTrainingBatch(2, $S)", s.name());
            }
        }
        long laneScratch = 0;
        for (Step s : plan.steps()) {
            for (EngineArray a : s.arrays(plan.maxBatch())) {
                if (a.field().equals(s.name() + "Col")) {
                    laneScratch = Math.max(laneScratch, a.length());
                }
            }
        }
        if (laneScratch > 0 && !inference) {
            constructor.addStatement("allocateLaneScratch($L)", laneScratch)
                    .addCode("// (the largest convolution scratch, once per worker thread: their images in an image-parallel forward pass)\n");
        }
        if (!inference && plan.steps().stream().noneMatch(s -> s.kernel() instanceof Kernel.BatchNorm)) {
            constructor.addStatement("allowParallelBackward($L)", laneScratch)
                    .addCode("// (no batch norm: the backward pass may split the batch, each part with its own parameter gradients)\n");
        }
        type.addMethod(constructor.build());
        if (!derives.isEmpty()) {
            MethodSpec.Builder derive = MethodSpec.methodBuilder("deriveWeights").addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
                    .addJavadoc("The convolutions' weights packed for their products ({@code ImplicitConv.packWeights}: nothing where a product\n")
                    .addJavadoc("reads them in place), before the first forward pass after the parameters may have changed.\n");
            for (CodeBlock call : chunk(type, "derive", derives, ALLOCATIONS_PER_METHOD)) {
                derive.addStatement(call);
            }
            type.addMethod(derive.build());
        }
        ClassName backend = ClassName.get("dev.strider.runtime.cuda", "Backend");
        ClassName engine = ClassName.get("dev.strider.runtime.engine", "Engine");
        ClassName gpu = ClassName.get(d.packageName(), CudaEngineGenerator.className(plan));
        type.addMethod(MethodSpec.methodBuilder("create").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(engine)
                .addParameter(backend, "backend")
                .addJavadoc("An engine of this network on {@code backend}: {@code AUTO} is the GPU engine ({@link $T}) when a GPU\n", gpu)
                .addJavadoc("is usable and this Java engine otherwise (the choice and its reason are logged); {@code CPU} this engine;\n")
                .addJavadoc("{@code GPU} the GPU engine or a {@code CudaUnavailableException} with the reason.\n")
                .addStatement("return choose(backend).engine()").build());
        type.addMethod(MethodSpec.methodBuilder("choose").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(backend.nestedClass("Choice"))
                .addParameter(backend, "backend")
                .addJavadoc("As {@link #create}, with the one-line reason for the choice.\n")
                .addStatement("return backend.open($S, $T::new, $T::new)", d.simpleName(), self, gpu).build());

        List<CodeBlock> forwardCalls = new ArrayList<>();
        List<CodeBlock> tailCalls = new ArrayList<>();
        List<CodeBlock> backwardCalls = new ArrayList<>();
        for (Step s : plan.steps()) {
            if (inference) {
                if (s.kernel() instanceof Kernel.Alias) {
                    continue;
                }
                if (memory.tailSteps().contains(s.name())) {
                    tailCalls.add(CodeBlock.of("$N(0, to - from, lane)", s.name() + "Forward"));
                } else {
                    forwardCalls.add(CodeBlock.of("$N(0, 1, lane)", s.name() + "Forward"));
                }
            } else {
                forwardCalls.add(CodeBlock.of("$N(from, to$L)", s.name() + "Forward", usesLane(s) ? ", lane" : ""));
            }
        }
        for (int i = plan.steps().size() - 1; i >= 0; i--) {
            Step s = plan.steps().get(i);
            if (s.kernel() instanceof Kernel.Alias) {
                continue; // nothing to do: it shares its input's gradient buffer
            }
            backwardCalls.add(CodeBlock.of("if (gradientNeeded($L)) $N(from, to, lane)", i, s.name() + "Backward"));
            if (!s.accumulate().isEmpty()) {
                backwardCalls.add(CodeBlock.of("if (gradientNeeded($L)) $N(from, to, lane)", i, s.name() + "AddGradients"));
            }
        }
        if (inference) {
            addPlannedForward(type, plan, memory, forwardCalls, tailCalls);
            type.addMethod(MethodSpec.methodBuilder("outputBuffer").addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
                    .returns(float[].class).addStatement("return $N", OUTPUT_BATCH).build());
            for (Step s : plan.steps()) {
                if (s.kernel() instanceof Kernel.Alias) {
                    continue;   // nothing to run: it shares its input's buffer
                }
                MethodSpec.Builder forward = MethodSpec.methodBuilder(s.name() + "Forward").addModifiers(Modifier.PRIVATE)
                        .addParameter(FROM).addParameter(TO).addParameter(LANE)
                        .addJavadoc("$L", layerDoc(s))
                        .addJavadoc(memory.tailSteps().contains(s.name())
                                ? CodeBlock.of("<p>A group's images ({@code from = 0, to} up to $L) in thread {@code lane}'s planned arrays.\n", memory.group())
                                : CodeBlock.of("<p>One image ({@code from = 0, to = 1}) in thread {@code lane}'s planned arrays.\n"));
                if (KernelEmitter.splitsImage(s)) {
                    addSplitForward(type, s, forward, memory);
                } else {
                    type.addMethod(forward.addCode(plannedLocals(memory, s)).addCode(KernelEmitter.forward(s, true).build()).build());
                }
            }
            return JavaFile.builder(d.packageName(), type.build()).skipJavaLangImports(true).indent("    ").build();
        }
        addPass(type, "runForward", float[].class, "input", EnginePlan.INPUT, "forwardSchedule", "forwardLayers", forwardCalls);
        List<String> coupling = plan.steps().stream()
                .filter(s -> s.kernel() instanceof Kernel.BatchNorm || s.kernel() instanceof Kernel.Dropout).map(Step::name).toList();
        if (!coupling.isEmpty()) {
            type.addMethod(MethodSpec.methodBuilder("imagesCoupled").addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
                    .returns(boolean.class)
                    .addJavadoc("In training mode $L $L the images of a batch (batch statistics, one dropout stream).\n",
                            String.join(", ", coupling), coupling.size() == 1 ? "couples" : "couple")
                    .addStatement("return isTraining()").build());
        }
        addPass(type, "runBackward", float[].class, "inputGrad", EnginePlan.INPUT_GRAD, "backwardSchedule", "backwardLayers", backwardCalls);
        type.addMethod(MethodSpec.methodBuilder("outputBuffer").addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
                .returns(float[].class).addStatement("return $N", plan.outputBuffer()).build());
        type.addMethod(MethodSpec.methodBuilder("outputGradBuffer").addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
                .returns(float[].class).addStatement("return $N", plan.outputGradBuffer()).build());

        for (Step s : plan.steps()) {
            String doc = layerDoc(s);
            MethodSpec.Builder forward = MethodSpec.methodBuilder(s.name() + "Forward").addModifiers(Modifier.PRIVATE)
                    .addParameter(FROM).addParameter(TO);
            if (usesLane(s)) {
                forward.addParameter(LANE);
            }
            forward.addJavadoc("$L", doc).addJavadoc("<p>Images {@code [from, to)}.\n");
            if (KernelEmitter.splitsImage(s)) {
                addSplitForward(type, s, forward, null);
            } else {
                type.addMethod(forward.addCode(KernelEmitter.forward(s).build()).build());
            }
            if (s.kernel() instanceof Kernel.Alias) {
                continue; // no backward: it shares its input's gradient buffer
            }
            type.addMethod(MethodSpec.methodBuilder(s.name() + "Backward").addModifiers(Modifier.PRIVATE)
                    .addParameter(FROM).addParameter(TO).addParameter(LANE)
                    .addJavadoc("Backward of $L on images {@code [from, to)}: reads $N, writes $N and part {@code lane}'s parameter gradients.\n",
                            s.name(), s.outGrad(), s.inGrad())
                    .addCode(backwardGuards(plan, s, true, null))
                    .addCode(KernelEmitter.backward(guarded(s, false)).build()).build());
            if (!s.accumulate().isEmpty()) {
                type.addMethod(MethodSpec.methodBuilder(s.name() + "AddGradients").addModifiers(Modifier.PRIVATE)
                        .addParameter(FROM).addParameter(TO).addParameter(LANE)
                        .addJavadoc("After the backward of $L: its gradients for inputs that later layers take too, added to theirs.\n", s.name())
                        .addCode(backwardGuards(plan, s, false, s.accumulate()))
                        .addCode(KernelEmitter.accumulate(guarded(s, true)).build()).build());
            }
        }
        return JavaFile.builder(d.packageName(), type.build()).skipJavaLangImports(true).indent("    ").build();
    }

    /**
     * A pass: {@code entry(batch, array)} (runForward(batch, input) or runBackward(batch, inputGrad), with the batch
     * first or last as the base class declares it) keeps the caller's array in {@code field} and hands the batch to the
     * base class's {@code schedule}, which calls {@code layers(from, to, lane)}: the layer calls, chunked.
     */
    private static void addPass(TypeSpec.Builder type, String entry, Class<?> arrayType, String array, String field, String schedule,
                                String layers, List<CodeBlock> calls) {
        MethodSpec.Builder run = MethodSpec.methodBuilder(entry).addAnnotation(Override.class).addModifiers(Modifier.PROTECTED);
        if (entry.equals("runForward")) {
            run.addParameter(arrayType, array).addParameter(int.class, "batch");
        } else {
            run.addParameter(int.class, "batch").addParameter(arrayType, array);
        }
        type.addMethod(run.addStatement("$N = $N", field, array).addStatement("$N(batch)", schedule).build());
        MethodSpec.Builder m = MethodSpec.methodBuilder(layers).addAnnotation(Override.class)
                .addModifiers(Modifier.PROTECTED).addParameter(FROM).addParameter(TO).addParameter(LANE);
        for (CodeBlock call : chunk(type, layers, calls, CALLS_PER_METHOD, FROM, TO, LANE)) {
            m.addStatement(call);
        }
        type.addMethod(m.build());
    }

    private static final ClassName SPLIT = GENERATED_ENGINE.nestedClass("Split");

    /**
     * The forward pass of a layer that splits one image among the worker threads at batch 1
     * ({@link KernelEmitter#splitsImage}): the kernel in a method over a range of channels (batch norm) or values,
     * a {@code Split} field made once that runs a part of it, and the forward method, which hands the image to the
     * workers at batch 1 ({@code splitImage}) and runs the whole range itself otherwise.
     */
    private static void addSplitForward(TypeSpec.Builder type, Step s, MethodSpec.Builder forward, MemoryPlan inference) {
        if (s.kernel() instanceof Kernel.BatchNorm bn && inference != null) {
            addPlannedBatchNormSplit(type, s, bn, forward, inference);
        } else if (s.kernel() instanceof Kernel.BatchNorm bn) {
            String n = s.name();
            String channels = n + "Channels";
            type.addMethod(MethodSpec.methodBuilder(channels).addModifiers(Modifier.PRIVATE)
                    .addParameter(FROM).addParameter(TO).addParameter(int.class, "c0").addParameter(int.class, "c1")
                    .addParameter(boolean.class, "trained")
                    .addJavadoc("$L's channels {@code [c0, c1)} of images {@code [from, to)}, with the batch's statistics ({@code trained}) or the running ones.\n", n)
                    .addCode(KernelEmitter.batchNormChannels(s, bn, false).build()).build());
            type.addField(FieldSpec.builder(SPLIT, n + "Split", Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("A part of $L's image at batch 1 (evaluation mode): its channels {@code [c0, c1)}.\n", n)
                    .initializer("(c0, c1) -> $N(0, 1, c0, c1, false)", channels).build());
            forward.addStatement("final boolean trained = isTraining()")
                    .addCode("// (set by the part with the first image: in evaluation mode the images may be split among threads)\n")
                    .addStatement("if (from == 0) $N = trained", n + "Trained")
                    .addCode("// batch 1 in evaluation mode: the $L channels split among the worker threads\n", bn.channels())
                    .addStatement("if (!trained && splitImage($N, $L)) return", n + "Split", KernelEmitter.splitItems(s))
                    .addStatement("$N(from, to, 0, $L, trained)", channels, bn.channels());
        } else if (s.kernel() instanceof Kernel.Pool pool) {
            addPlanesSplit(type, s, pool, forward, inference);
        } else {
            addValuesSplit(type, s, forward, inference);
        }
        type.addMethod(forward.build());
    }

    /**
     * The split of a large pooling layer: {@code <name>Planes(ncFirst, ncEnd)} over a range of its planes, a
     * {@code Split} field that runs the image's channels {@code [c0, c1)}, and the forward method's hand-over.
     * {@code memory} non-null: an inference-only engine's, whose methods take the thread of the planned arrays they use.
     */
    private static void addPlanesSplit(TypeSpec.Builder type, Step s, Kernel.Pool pool, MethodSpec.Builder forward, MemoryPlan memory) {
        String n = s.name();
        int channels = pool.w().c();
        String planes = n + "Planes";
        boolean planned = memory != null;
        addRangeMethod(type, s, memory, planes, "planes", "ncFirst", "ncEnd", channels, KernelEmitter.poolPlanes(s));
        type.addField(FieldSpec.builder(SPLIT, n + "Split", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("A part of $L's image at batch 1: its channels {@code [c0, c1)}$L.\n", n, planned ? ", in the caller's arrays" : "")
                .initializer("(c0, c1) -> $N(c0, c1$L)", planes, planned ? ", 0" : "").build());
        forward.addCode("// batch 1: the $L channels split among the worker threads\n", channels)
                .addStatement("if (splitImage($N, $L)) return", n + "Split", channels)
                .addStatement("$N(from * $L, to * $L$L)", planes, channels, channels, planned ? ", lane" : "");
    }

    /**
     * Batch norm's split in an inference-only engine: its channels method takes the thread whose planned arrays it
     * uses (the caller's, 0, when the workers share one image at batch 1), and always uses the running statistics.
     */
    private static void addPlannedBatchNormSplit(TypeSpec.Builder type, Step s, Kernel.BatchNorm bn, MethodSpec.Builder forward, MemoryPlan memory) {
        String n = s.name();
        String channels = n + "Channels";
        type.addMethod(MethodSpec.methodBuilder(channels).addModifiers(Modifier.PRIVATE)
                .addParameter(FROM).addParameter(TO).addParameter(int.class, "c0").addParameter(int.class, "c1").addParameter(LANE)
                .addJavadoc("$L's channels {@code [c0, c1)} of images {@code [from, to)} in thread {@code lane}'s arrays, with the running statistics.\n", n)
                .addCode(plannedLocals(memory, s))
                .addCode(KernelEmitter.batchNormChannels(s, bn, true).build()).build());
        type.addField(FieldSpec.builder(SPLIT, n + "Split", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("A part of $L's image at batch 1: its channels {@code [c0, c1)}, in the caller's arrays.\n", n)
                .initializer("(c0, c1) -> $N(0, 1, c0, c1, 0)", channels).build());
        forward.addCode("// batch 1: the $L channels split among the worker threads\n", bn.channels())
                .addStatement("if (splitImage($N, $L)) return", n + "Split", KernelEmitter.splitItems(s))
                .addStatement("$N(from, to, 0, $L, lane)", channels, bn.channels());
    }

    /**
     * The split of an element-wise layer (activation, sum): {@code <name>Values(first, end)} over a range of its output
     * values, a {@code Split} field that runs a chunk of them, and the forward method's hand-over. {@code memory}
     * non-null: an inference-only engine's, whose methods take the thread of the planned arrays they use.
     */
    private static void addValuesSplit(TypeSpec.Builder type, Step s, MethodSpec.Builder forward, MemoryPlan memory) {
        String n = s.name();
        int items = KernelEmitter.splitItems(s);
        int size = s.kernel().outSize();
        String values = n + "Values";
        boolean planned = memory != null;
        addRangeMethod(type, s, memory, values, "output values", "first", "end", size, KernelEmitter.elementValues(s));
        type.addField(FieldSpec.builder(SPLIT, n + "Split", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("A part of $L's image at batch 1: values {@code [$L a, $L b)}$L.\n", n, KernelEmitter.SPLIT_CHUNK,
                        KernelEmitter.SPLIT_CHUNK, planned ? ", in the caller's arrays" : "")
                .initializer("(a, b) -> $N(a * $L, Math.min(b * $L, $L)$L)", values, KernelEmitter.SPLIT_CHUNK, KernelEmitter.SPLIT_CHUNK, size,
                        planned ? ", 0" : "").build());
        forward.addCode("// batch 1: the image's values split among the worker threads, $L at a time\n", KernelEmitter.SPLIT_CHUNK)
                .addStatement("if (splitImage($N, $L)) return", n + "Split", items)
                .addStatement("$N(from * $L, to * $L$L)", values, size, size, planned ? ", lane" : "");
    }

    /**
     * A split layer's method over its items {@code [lo, hi)} ({@code perImage} an image: output values or planes),
     * running {@code body}; in an inference-only engine ({@code memory} non-null) it also takes the thread whose
     * planned arrays it uses.
     */
    private static void addRangeMethod(TypeSpec.Builder type, Step s, MemoryPlan memory, String method, String what, String lo, String hi,
            int perImage, Code body) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(method).addModifiers(Modifier.PRIVATE)
                .addParameter(int.class, lo).addParameter(int.class, hi);
        if (memory != null) {
            m.addParameter(LANE).addJavadoc("$L's $L {@code [$L, $L)} in thread {@code lane}'s arrays.\n", s.name(), what, lo, hi)
                    .addCode(plannedLocals(memory, s));
        } else {
            m.addJavadoc("$L's $L {@code [$L, $L)} (image n's are {@code [n * $L, (n + 1) * $L)}).\n", s.name(), what, lo, hi, perImage, perImage);
        }
        type.addMethod(m.addCode(body.build()).build());
    }

    /** The field of an inference-only engine's batch output. */
    static final String OUTPUT_BATCH = "outputBatch";
    /** The local holding a thread's planned buffers in an inference-only engine's layer methods. */
    private static final String PLANNED = "planned";

    /**
     * The start of a layer method of an inference-only engine: a local for each buffer the layer reads or writes
     * (named as the field of an engine that trains, so the kernel's code is the same), from the thread's planned arrays.
     */
    private static CodeBlock plannedLocals(MemoryPlan memory, Step s) {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>(s.ins());
        names.add(s.out());
        if (s.kernel() instanceof Kernel.Conv conv && conv.sourceLength() > 0) {
            names.add(MemoryPlan.source(s));
        }
        CodeBlock.Builder c = CodeBlock.builder().addStatement("final float[][] $N = planned(lane)", PLANNED);
        List<CodeBlock> locals = new ArrayList<>();
        for (String name : names) {
            locals.add(CodeBlock.of("$N = $N[$L]", name, PLANNED, memory.index(name, s)));
        }
        return c.addStatement("final float[] $L", CodeBlock.join(locals, ", ")).build();
    }

    /**
     * The memory plan's arrays, allocated for each worker thread by the constructor of an inference-only engine:
     * their lengths, and the array of each buffer (commented with what it is and the steps it lives through).
     */
    private static void addMemoryPlan(MemoryPlan memory, MethodSpec.Builder constructor) {
        constructor.addCode("// memory plan: the forward pass's $L buffers in $L arrays, $L bytes per thread (unplanned: $L bytes)\n",
                memory.buffers().size(), memory.arrays().size(), String.format(java.util.Locale.ROOT, "%,d", memory.plannedBytes()),
                String.format(java.util.Locale.ROOT, "%,d", memory.naiveBytes()));
        CodeBlock.Builder arrayOf = CodeBlock.builder().add("allocatePlan(new int[] {$L}, new int[] {\n",
                memory.arrays().stream().map(String::valueOf).collect(Collectors.joining(", "))).indent().indent();
        List<MemoryPlan.Buffer> buffers = memory.buffers();
        for (int i = 0; i < buffers.size(); i++) {
            MemoryPlan.Buffer b = buffers.get(i);
            arrayOf.add("$L$L // $L: $L floats, $L\n", b.array(), i + 1 < buffers.size() ? "," : "", b.field(), b.length(),
                    b.first() == b.last() ? "during step " + b.first() : "steps " + b.first() + " to " + b.last());
        }
        constructor.addCode(arrayOf.unindent().add("});\n").unindent().build());
    }

    /**
     * An inference-only engine's forward pass: {@code runForward} hands the batch to the schedule, which calls
     * {@code forwardLayers} with one image (batch 1, or each image of a batch on a worker thread); the image goes
     * through every layer in the thread's planned arrays, and its output is copied into the batch output. With a
     * tail ({@link MemoryPlan#grouped()}) the schedule hands over groups of images instead: each image goes through
     * the layers before the tail and its output is copied into the group buffer, then the tail runs on the group.
     */
    private static void addPlannedForward(TypeSpec.Builder type, EnginePlan plan, MemoryPlan memory, List<CodeBlock> calls,
                                          List<CodeBlock> tailCalls) {
        type.addMethod(MethodSpec.methodBuilder("runForward").addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
                .addParameter(float[].class, "input").addParameter(int.class, "batch")
                .addStatement("$N = input", EnginePlan.INPUT).addStatement("forwardSchedule(batch)").build());
        boolean grouped = memory.grouped();
        MethodSpec.Builder m = MethodSpec.methodBuilder("forwardLayers").addAnnotation(Override.class)
                .addModifiers(Modifier.PROTECTED).addParameter(FROM).addParameter(TO).addParameter(LANE)
                .addJavadoc(grouped
                        ? CodeBlock.of("Images {@code [from, to)} (at most $L) one at a time through the layers before the tail, then together through\n"
                                + "the tail, in thread {@code lane}'s planned arrays.\n", memory.group())
                        : CodeBlock.of("Images {@code [from, to)} one at a time through thread {@code lane}'s planned arrays.\n"))
                .addStatement("final float[][] $N = planned(lane)", PLANNED)
                .beginControlFlow("for (int n = from; n < to; n++)")
                .addCode("// buffer 0 is the image's input: the caller's array for image 0, a copy for the others\n")
                .addStatement("planInput(lane, $N, n)", EnginePlan.INPUT);
        for (CodeBlock call : chunk(type, "forwardImage", calls, CALLS_PER_METHOD, LANE)) {
            m.addStatement(call);
        }
        int out = memory.index(plan.outputBuffer());
        if (!grouped) {
            m.addStatement("System.arraycopy($N[$L], 0, $N, n * $L, $L)", PLANNED, out, OUTPUT_BATCH, plan.outputSize(), plan.outputSize());
            type.addMethod(m.endControlFlow().build());
            return;
        }
        String input = memory.tailInput();
        int size = Math.toIntExact(memory.buffers().get(memory.index(input)).length());
        m.addCode("// into the image's slot of the group: the tail reads the group\n")
                .addStatement("System.arraycopy($N[$L], 0, $N[$L], (n - from) * $L, $L)", PLANNED, memory.index(input), PLANNED,
                        memory.index(MemoryPlan.groupBuffer(input)), size, size)
                .endControlFlow()
                .addCode("// the tail, once for the group: each dense layer's weights read once for all its images\n");
        for (CodeBlock call : chunk(type, "forwardTail", tailCalls, CALLS_PER_METHOD, FROM, TO, LANE)) {
            m.addStatement(call);
        }
        m.addStatement("System.arraycopy($N[$L], 0, $N, from * $L, (to - from) * $L)", PLANNED, out, OUTPUT_BATCH, plan.outputSize(),
                plan.outputSize());
        type.addMethod(m.build());
        type.addMethod(MethodSpec.methodBuilder("forwardGroup").addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
                .returns(int.class)
                .addJavadoc("Images per group: the tail's buffers in the planned arrays hold $L.\n", memory.group())
                .addStatement("return $L", memory.group()).build());
    }

    /** Whether {@code s}'s forward method takes the lane of an image-parallel pass (for its convolution scratch). */
    private static boolean usesLane(Step s) {
        return s.kernel() instanceof Kernel.Conv;
    }

    static FieldSpec intConstant(String name, int value, String doc) {
        return FieldSpec.builder(TypeName.INT, name, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L\n", doc).initializer("$L", value).build();
    }

    /** Fields (activations, gradients, parameters, layer state), their allocation and their registration. */
    private static void addLayerState(TypeSpec.Builder type, EnginePlan plan, Step s, List<CodeBlock> allocations, List<CodeBlock> registrations,
            List<CodeBlock> derives) {
        Kernel k = s.kernel();
        if (plan.inferenceOnly()) {
            addInferenceState(type, s, allocations, registrations, derives, plan);
            return;
        }
        for (EngineArray a : s.arrays(plan.maxBatch())) {
            boolean ints = a.type() == EngineArray.Type.INT;
            type.addField(FieldSpec.builder(ints ? int[].class : float[].class, a.field(), Modifier.PRIVATE)
                    .addJavadoc("$L.\n", a.doc()).build());
            // NetworkStep reported any array over EngineArray.MAX_LENGTH: one that reaches here fits an int
            allocations.add(CodeBlock.of("$N = new $L[$L]", a.field(), ints ? "int" : "float", Math.toIntExact(a.length())));
        }
        registrations.add(stepRegistration(plan, s));
        if (!(k instanceof Kernel.Alias)) {
            // an alias (flatten, dropout at rate 0, ...) shares its input's buffers: the layer before it covers them
            registrations.add(CodeBlock.of("addLayer($S, $N, $N, $L)", s.name(), s.out(), s.outGrad(), k.outSize()));
        }
        for (Tensor t : s.tensors()) {
            String shape = t.shape().stream().map(String::valueOf).collect(Collectors.joining(", "));
            if (t.trainable()) {
                registrations.add(CodeBlock.of("addParameter($S, new int[] {$L}, $N, $N, $T.$L, $L, $L)", t.name(),
                        shape, t.field(), t.gradField(), INIT, t.init(), t.fanIn(), t.fanOut()));
            } else {
                registrations.add(CodeBlock.of("addBuffer($S, new int[] {$L}, $N, $T.$L)", t.name(), shape, t.field(), INIT, t.init()));
            }
        }
        if (k instanceof Kernel.Conv conv) {
            addPatches(type, s, conv, allocations, false);
            type.addMethod(MethodSpec.methodBuilder(s.name() + "Im2colT").addModifiers(Modifier.PRIVATE)
                    .addParameter(float[].class, "in").addParameter(int.class, "image").addParameter(float[].class, "colT")
                    .addJavadoc("The patches of $L's input transposed: row q of {@code colT} is output position q's patch.\n", s.name())
                    .addCode(KernelEmitter.im2colTransposed(conv, false).build()).build());
            type.addMethod(MethodSpec.methodBuilder(s.name() + "Col2imT").addModifiers(Modifier.PRIVATE)
                    .addParameter(float[].class, "colT").addParameter(float[].class, "gIn").addParameter(int.class, "image")
                    .addJavadoc("Adds d loss / d patches (transposed) back onto the input gradient of $L.\n", s.name())
                    .addCode(KernelEmitter.im2colTransposed(conv, true).build()).build());
        } else if (k instanceof Kernel.BatchNorm) {
            type.addField(FieldSpec.builder(boolean.class, s.name() + "Trained", Modifier.PRIVATE)
                    .addJavadoc("Whether the last forward used batch statistics (training mode).\n").build());
        } else if (k instanceof Kernel.Dropout) {
            type.addField(FieldSpec.builder(boolean.class, s.name() + "Trained", Modifier.PRIVATE)
                    .addJavadoc("Whether the last forward dropped values (training mode).\n").build());
        }
    }

    /**
     * {@link #addLayerState} in an inference-only engine: the parameters and running statistics (no gradients; the
     * buffers and padded inputs are in the memory plan) and a convolution's {@code ImplicitConv}.
     */
    private static void addInferenceState(TypeSpec.Builder type, Step s, List<CodeBlock> allocations, List<CodeBlock> registrations,
            List<CodeBlock> derives, EnginePlan plan) {
        registrations.add(stepRegistration(plan, s));
        for (Tensor t : s.tensors()) {
            type.addField(FieldSpec.builder(float[].class, t.field(), Modifier.PRIVATE).addJavadoc("$L $L.\n", t.name(), t.shape()).build());
            allocations.add(CodeBlock.of("$N = new float[$L]", t.field(), Math.toIntExact(t.size())));
            String shape = t.shape().stream().map(String::valueOf).collect(Collectors.joining(", "));
            if (t.trainable()) {
                registrations.add(CodeBlock.of("addParameter($S, new int[] {$L}, $N, null, $T.$L, $L, $L)", t.name(),
                        shape, t.field(), INIT, t.init(), t.fanIn(), t.fanOut()));
            } else {
                registrations.add(CodeBlock.of("addBuffer($S, new int[] {$L}, $N, $T.$L)", t.name(), shape, t.field(), INIT, t.init()));
            }
        }
        if (s.kernel() instanceof Kernel.Conv conv) {
            boolean packed = packsWeights(conv);
            addPatches(type, s, conv, allocations, packed);
            if (packed) {
                type.addField(FieldSpec.builder(float[].class, packedField(s), Modifier.PRIVATE)
                        .addJavadoc("$L's weights packed for a product with the filters on the lanes, where its patches take one (empty otherwise);\n",
                                s.name())
                        .addJavadoc("made again from {@code $N} before the first forward pass after the parameters may have changed.\n",
                                s.tensor(Tensor.Role.WEIGHT).field())
                        .build());
                allocations.add(CodeBlock.of("$N = new float[$N.packedLength()]", packedField(s), s.name() + "Patches"));
                derives.add(CodeBlock.of("$N.packWeights($N, 0, $N)", s.name() + "Patches", s.tensor(Tensor.Role.WEIGHT).field(), packedField(s)));
            }
        }
    }

    /**
     * Whether an inference-only engine keeps {@code conv}'s weights packed (its {@code ImplicitConv} then chooses, from
     * the vector width, whether its product reads them): a convolution of one group.
     */
    static boolean packsWeights(Kernel.Conv conv) {
        return conv.groups() == 1;
    }

    /** The field of a convolution's packed weights ({@link #packsWeights}). */
    static String packedField(Step s) {
        return s.name() + "Packed";
    }

    /**
     * A convolution's {@code <name>Patches} field: the geometry its forward product packs the patches' panels from
     * the input with (the runtime's {@code ImplicitConv}), one group's.
     */
    private static void addPatches(TypeSpec.Builder type, Step s, Kernel.Conv conv, List<CodeBlock> allocations, boolean packed) {
        Kernel.Window w = conv.w();
        ClassName implicit = ClassName.get("dev.strider.runtime.engine", "ImplicitConv");
        // assigned with the allocations (chunked into helper methods), not as an initializer: a deep network's
        // constructor would pass HotSpot's 8,000-byte limit
        FieldSpec.Builder f = FieldSpec.builder(implicit, s.name() + "Patches", Modifier.PRIVATE)
                .addJavadoc("$L's patches, never laid out: the forward product packs its panels straight from the input$L.\n", s.name(),
                        conv.readsInPlace() ? " (stride 1, no padding: read in place)"
                                : String.format(java.util.Locale.ROOT, ", zero-padded to %d x %d%s (%,d floats a group)", conv.paddedRows(),
                                        conv.paddedColumns(), conv.phaseSplit() ? " and split by the stride's phases" : "",
                                        conv.sourceLength()));
        type.addField(f.build());
        allocations.add(CodeBlock.of("$N = new $T($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L$L)", s.name() + "Patches", implicit,
                conv.inPerGroup(), w.ih(), w.iw(), w.kh(), w.kw(), w.sh(), w.sw(), w.dh(), w.dw(), w.padTop(), w.padLeft(), w.oh(), w.ow(),
                conv.outPerGroup(), packed ? ", true" : ""));
    }

    /** {@code step("name", inputs...)}: the layer's place in the backward plan (the steps it takes, -1 for the input). */
    static CodeBlock stepRegistration(EnginePlan plan, Step s) {
        int[] from = plan.producers(s);
        StringBuilder args = new StringBuilder();
        for (int f : from) {
            args.append(", ").append(f);
        }
        return CodeBlock.of("step($S$L)", s.name(), args);
    }

    /** The suffix of the locals that hold a gradient buffer or null ({@link #backwardGuards}); no field or kernel local ends with it. */
    static final String IF_NEEDED = "IfNeeded";

    /**
     * The start of a backward method: a local for each gradient buffer it writes, named {@code <field>IfNeeded}, null
     * when the backward plan leaves that gradient out (an input whose layers up to it are all frozen; parameters that
     * are all frozen). {@link #guarded} renames the step's buffers to these locals, and the kernels skip what they
     * would write to a null buffer. {@code adds} non-null: the guards of the {@code AddGradients} method instead.
     */
    static CodeBlock backwardGuards(EnginePlan plan, Step s, boolean parameters, List<EnginePlan.GradAdd> adds) {
        CodeBlock.Builder c = CodeBlock.builder();
        java.util.Set<String> done = new java.util.HashSet<>();
        List<String> grads = new ArrayList<>();
        List<String> ins = new ArrayList<>();
        if (adds == null) {
            grads.addAll(s.inGrads());
            ins.addAll(s.ins());
        } else {
            for (EnginePlan.GradAdd g : adds) {
                grads.add(g.target());
                ins.add(s.ins().get(s.inGrads().indexOf(g.scratch())));
            }
        }
        for (int i = 0; i < grads.size(); i++) {
            String g = grads.get(i);
            if (g.equals(EnginePlan.INPUT_GRAD) || !done.add(g)) {
                continue;
            }
            int from = plan.producer(ins.get(i));
            if (from < 0) {
                // scratch for the network's input gradient (the input feeds several layers)
                c.addStatement("final float[] $N = $N != null ? $N : null", g + IF_NEEDED, EnginePlan.INPUT_GRAD, g);
            } else {
                c.addStatement("final float[] $N = gradientNeeded($L) ? $N : null", g + IF_NEEDED, from, g);
            }
        }
        if (parameters && guardsParameters(s)) {
            int self = plan.indexOf(s);
            for (Tensor t : s.tensors()) {
                if (t.trainable()) {
                    c.addStatement("final float[] $N = parameterGradients($L) ? laneGrad(lane, $L, $N) : null", t.gradField() + IF_NEEDED, self,
                            parameterIndex(plan, t), t.gradField());
                }
            }
        }
        if (!c.isEmpty()) {
            c.add("// (null above: the backward plan skips that gradient, see backwardSignature())\n");
        }
        return c.build();
    }

    /** The index of trainable tensor {@code t} among the engine's parameters (their registration order). */
    static int parameterIndex(EnginePlan plan, Tensor t) {
        int i = 0;
        for (Step s : plan.steps()) {
            for (Tensor u : s.tensors()) {
                if (u == t) {
                    return i;
                }
                if (u.trainable()) {
                    i++;
                }
            }
        }
        throw new IllegalArgumentException(t.name() + " is not a parameter of " + plan.network().decl().simpleName());
    }

    /** Batch norm's d gamma and d beta are the sums its d input needs: stored whenever its backward runs. */
    private static boolean guardsParameters(Step s) {
        return !(s.kernel() instanceof Kernel.BatchNorm);
    }

    /** {@code s} with the gradient buffers {@link #backwardGuards} declares renamed to its locals, for the kernel emitter. */
    static Step guarded(Step s, boolean adds) {
        if (adds) {
            List<EnginePlan.GradAdd> a = s.accumulate().stream()
                    .map(g -> g.target().equals(EnginePlan.INPUT_GRAD) ? g : new EnginePlan.GradAdd(g.scratch(), g.target() + IF_NEEDED, g.size())).toList();
            return new Step(s.layer(), s.kernel(), s.ins(), s.out(), s.inGrads(), s.outGrad(), s.tensors(), a);
        }
        List<String> inGrads = s.inGrads().stream().map(g -> g.equals(EnginePlan.INPUT_GRAD) ? g : g + IF_NEEDED).toList();
        List<Tensor> tensors = s.tensors().stream()
                .map(t -> t.trainable() && guardsParameters(s)
                        ? new Tensor(t.name(), t.field(), t.gradField() + IF_NEEDED, t.shape(), t.role(), t.init(), t.fanIn(), t.fanOut()) : t)
                .toList();
        return new Step(s.layer(), s.kernel(), s.ins(), s.out(), inGrads, s.outGrad(), tensors, s.accumulate());
    }

    private static String layerDoc(Step s) {
        CheckedLayer c = s.layer();
        StringBuilder doc = new StringBuilder();
        doc.append(c.name()).append(": ").append(c.layer().type());
        String details = c.layer().describe();
        if (!details.isEmpty()) {
            doc.append(" (").append(details).append(")");
        }
        doc.append(", ").append(c.in()).append(" -> ").append(c.out()).append(".\n");
        Kernel k = s.kernel();
        Kernel.Window w = k instanceof Kernel.Conv conv ? conv.w() : k instanceof Kernel.Pool pool ? pool.w() : null;
        if (w != null) {
            doc.append("<p>Rows: ").append(w.rowsFormula()).append("; columns: ").append(w.columnsFormula()).append(".\n");
        }
        if (c.params() > 0) {
            doc.append(String.format(java.util.Locale.ROOT, "<p>%,d parameters, %,d MACs per image.\n", c.params(), c.macs()));
        }
        return doc.toString();
    }

    /** Splits {@code statements} into private methods of at most {@code max} each; returns the calls to them. */
    static List<CodeBlock> chunk(TypeSpec.Builder type, String name, List<CodeBlock> statements, int max, ParameterSpec... params) {
        if (statements.size() <= max) {
            return statements;
        }
        List<CodeBlock> calls = new ArrayList<>();
        for (int from = 0, part = 0; from < statements.size(); from += max, part++) {
            MethodSpec.Builder m = MethodSpec.methodBuilder(name + part).addModifiers(Modifier.PRIVATE);
            List<String> args = new ArrayList<>();
            for (ParameterSpec p : params) {
                m.addParameter(p);
                args.add(p.name());
            }
            for (CodeBlock st : statements.subList(from, Math.min(statements.size(), from + max))) {
                m.addStatement(st);
            }
            type.addMethod(m.build());
            calls.add(CodeBlock.of("$N($L)", name + part, String.join(", ", args)));
        }
        return calls;
    }
}
