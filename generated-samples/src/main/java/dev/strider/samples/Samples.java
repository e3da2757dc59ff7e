package dev.strider.samples;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The sample networks by their command-line names. */
public enum Samples {
    LENET5("lenet5", LeNet5.class, LeNet5Spec::summary),
    CONVBN("convbn", ConvBnNet.class, ConvBnNetSpec::summary),
    CONV_EXERCISE("conv-exercise", ConvExercise.class, ConvExerciseSpec::summary),
    ALEXNET("alexnet", AlexNet.class, AlexNetSpec::summary),
    VGG16("vgg16", Vgg16.class, Vgg16Spec::summary);

    private final String cliName;
    private final Class<?> declaration;
    private final Supplier<String> summary;

    Samples(String cliName, Class<?> declaration, Supplier<String> summary) {
        this.cliName = cliName;
        this.declaration = declaration;
        this.summary = summary;
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
