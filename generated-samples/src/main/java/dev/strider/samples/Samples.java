package dev.strider.samples;

import dev.strider.runtime.cuda.Backend;
import dev.strider.runtime.engine.GeneratedEngine;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The sample networks by their command-line names. */
public enum Samples {
    LENET5("lenet5", LeNet5.class, LeNet5Spec::summary, LeNet5Engine::new, LeNet5Engine::choose),
    LENET5_SERVING("lenet5-serving", LeNet5Serving.class, LeNet5ServingSpec::summary, LeNet5ServingEngine::new, LeNet5ServingEngine::choose),
    CONVBN("convbn", ConvBnNet.class, ConvBnNetSpec::summary, ConvBnNetEngine::new, ConvBnNetEngine::choose),
    CONV_EXERCISE("conv-exercise", ConvExercise.class, ConvExerciseSpec::summary, ConvExerciseEngine::new, ConvExerciseEngine::choose),
    ALEXNET("alexnet", AlexNet.class, AlexNetSpec::summary, AlexNetEngine::new, AlexNetEngine::choose),
    VGG16("vgg16", Vgg16.class, Vgg16Spec::summary, Vgg16Engine::new, Vgg16Engine::choose),
    RESNET18("resnet18", ResNet18.class, ResNet18Spec::summary, ResNet18Engine::new, ResNet18Engine::choose),
    RESNET18_SERVING("resnet18-serving", ResNet18Serving.class, ResNet18ServingSpec::summary, ResNet18ServingEngine::new,
            ResNet18ServingEngine::choose),
    RESNET50("resnet50", ResNet50.class, ResNet50Spec::summary, ResNet50Engine::new, ResNet50Engine::choose),
    GOOGLENET("googlenet", GoogLeNet.class, GoogLeNetSpec::summary, GoogLeNetEngine::new, GoogLeNetEngine::choose),
    SQUEEZENET("squeezenet", SqueezeNet.class, SqueezeNetSpec::summary, SqueezeNetEngine::new, SqueezeNetEngine::choose),
    MOBILENETV2("mobilenetv2", MobileNetV2.class, MobileNetV2Spec::summary, MobileNetV2Engine::new, MobileNetV2Engine::choose),
    ALEXNET2012("alexnet2012", AlexNet2012.class, AlexNet2012Spec::summary, AlexNet2012Engine::new, AlexNet2012Engine::choose),
    TINY_FCN("tiny-fcn", TinyFcn.class, TinyFcnSpec::summary, TinyFcnEngine::new, TinyFcnEngine::choose),
    DILATED_CONTEXT("dilated-context", DilatedContext.class, DilatedContextSpec::summary, DilatedContextEngine::new, DilatedContextEngine::choose);

    private final String cliName;
    private final Class<?> declaration;
    private final Supplier<String> summary;
    private final Supplier<GeneratedEngine> engine;
    private final Function<Backend, Backend.Choice> backend;

    Samples(String cliName, Class<?> declaration, Supplier<String> summary, Supplier<GeneratedEngine> engine,
            Function<Backend, Backend.Choice> backend) {
        this.cliName = cliName;
        this.declaration = declaration;
        this.summary = summary;
        this.engine = engine;
        this.backend = backend;
    }

    /** An engine for this network on {@code backend} (the GPU engine or the Java engine), with the reason for the choice. */
    public Backend.Choice newEngine(Backend backend) {
        return this.backend.apply(backend);
    }

    /** A new Java engine for this network (all its arrays allocated: large for AlexNet and VGG-16). */
    public GeneratedEngine newEngine() {
        return engine.get();
    }

    public String cliName() {
        return cliName;
    }

    public Class<?> declaration() {
        return declaration;
    }

    public String summary() {
        return summary.get();
    }

    /** The sample called {@code name} (case-insensitive), if any. */
    public static Optional<Samples> byName(String name) {
        return Arrays.stream(values()).filter(s -> s.cliName.equalsIgnoreCase(name.trim().toLowerCase(Locale.ROOT))).findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(Samples::cliName).collect(Collectors.toList());
    }
}
