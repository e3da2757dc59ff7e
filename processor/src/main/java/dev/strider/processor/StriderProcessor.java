package dev.strider.processor;

import com.google.auto.service.AutoService;
import dev.strider.processor.diag.LayerFailure;
import dev.strider.processor.diag.Message;
import dev.strider.processor.read.DslNames;
import dev.strider.processor.read.LocalNetworks;
import dev.strider.processor.read.NetworkReader;
import dev.strider.processor.step.NetworkStep;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic.Kind;

/**
 * The Strider annotation processor: checks every {@code @Network} class and generates its code. Thin on purpose:
 * the work is in {@link NetworkStep}. No exception escapes to javac: an unexpected failure becomes one
 * {@code [strider/internal-error]} on the network, and the next network is processed.
 */
@AutoService(Processor.class)
public final class StriderProcessor extends AbstractProcessor {
    /** Networks waiting for a type to be resolved, by qualified name (elements do not survive rounds). */
    private final Map<String, NetworkReader.Unresolved> deferred = new LinkedHashMap<>();
    private NetworkStep step;

    @Override
    public synchronized void init(ProcessingEnvironment env) {
        super.init(env);
        step = new NetworkStep(env);
    }

    @Override
    public Set<String> getSupportedAnnotationTypes() {
        Set<String> types = new LinkedHashSet<>();
        types.add(DslNames.NETWORK);
        types.add(DslNames.INPUT);
        types.addAll(DslNames.LAYER_ANNOTATIONS);
        types.addAll(DslNames.WIRING);
        return types;
    }

    @Override
    public Set<String> getSupportedOptions() {
        return Options.keys();
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        if (!round.processingOver()) {
            try {
                LocalNetworks.reportOnce(processingEnv, round.getRootElements());
            } catch (RuntimeException | LinkageError e) {
                processingEnv.getMessager().printMessage(Kind.NOTE, "Strider could not scan for local @Network classes: " + e);
            }
        }
        Set<TypeElement> networks = new LinkedHashSet<>();
        for (String name : deferred.keySet()) {
            TypeElement t = processingEnv.getElementUtils().getTypeElement(name);
            if (t != null) {
                networks.add(t);
            }
        }
        Map<String, NetworkReader.Unresolved> stillDeferred = new LinkedHashMap<>();
        TypeElement networkAnnotation = processingEnv.getElementUtils().getTypeElement(DslNames.NETWORK);
        if (networkAnnotation != null) {
            for (Element e : round.getElementsAnnotatedWith(networkAnnotation)) {
                if (e instanceof TypeElement t) {
                    networks.add(t);
                }
            }
        }
        for (TypeElement network : networks) {
            try {
                if (step.process(network) == NetworkStep.Outcome.DEFERRED) {
                    stillDeferred.put(network.getQualifiedName().toString(), step.unresolved());
                }
            } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
                internalError(network, e);
            }
        }
        deferred.clear();
        deferred.putAll(stillDeferred);
        try {
            reportOrphans(round);
        } catch (Exception | LinkageError e) {
            processingEnv.getMessager().printMessage(Kind.ERROR, Message.INTERNAL_ERROR.format("(declaration checks)", "", describe(e)));
        }
        if (round.processingOver()) {
            for (var e : deferred.entrySet()) {
                TypeElement t = processingEnv.getElementUtils().getTypeElement(e.getKey());
                Element at = t == null ? null : t.getEnclosedElements().stream().map(f -> (Element) f)
                        .filter(f -> f.getSimpleName().contentEquals(e.getValue().field())).findFirst().orElse(t);
                processingEnv.getMessager().printMessage(Kind.ERROR,
                        Message.UNRESOLVED_TYPE.format(t == null ? e.getKey() : t.getSimpleName(), e.getValue().what()), at);
            }
            deferred.clear();
        }
        // The DSL's annotations are Strider's alone: claiming them keeps javac's -Xlint:processing quiet.
        return true;
    }

    /** A layer annotation on a field whose class is not a {@code @Network}, or an {@code @Input} without one, belongs to nothing. */
    private void reportOrphans(RoundEnvironment round) {
        TypeElement input = processingEnv.getElementUtils().getTypeElement(DslNames.INPUT);
        if (input != null) {
            for (Element type : round.getElementsAnnotatedWith(input)) {
                boolean isNetwork = type.getAnnotationMirrors().stream().anyMatch(m ->
                        ((TypeElement) m.getAnnotationType().asElement()).getQualifiedName().contentEquals(DslNames.NETWORK));
                if (!isNetwork) {
                    var mirror = type.getAnnotationMirrors().stream()
                            .filter(m -> ((TypeElement) m.getAnnotationType().asElement()).getQualifiedName().contentEquals(DslNames.INPUT))
                            .findFirst().orElse(null);
                    processingEnv.getMessager().printMessage(Kind.ERROR, Message.ORPHAN_INPUT.format(type.getSimpleName()), type, mirror);
                }
            }
        }
        for (String qualified : DslNames.LAYER_ANNOTATIONS) {
            TypeElement annotation = processingEnv.getElementUtils().getTypeElement(qualified);
            if (annotation == null) {
                continue;
            }
            for (Element field : round.getElementsAnnotatedWith(annotation)) {
                Element owner = field.getEnclosingElement();
                // a block's layers belong to the networks that use it
                boolean inNetwork = owner.getAnnotationMirrors().stream().anyMatch(m -> {
                    var n = ((TypeElement) m.getAnnotationType().asElement()).getQualifiedName();
                    return n.contentEquals(DslNames.NETWORK) || n.contentEquals(DslNames.BLOCK);
                });
                if (!inNetwork) {
                    var mirror = field.getAnnotationMirrors().stream()
                            .filter(m -> ((TypeElement) m.getAnnotationType().asElement()).getQualifiedName().contentEquals(qualified))
                            .findFirst().orElse(null);
                    processingEnv.getMessager().printMessage(Kind.ERROR,
                            Message.ORPHAN_LAYER.format(field.getSimpleName(), DslNames.layerKind(qualified), owner.getSimpleName()),
                            field, mirror);
                }
            }
        }
    }

    private void internalError(TypeElement network, Throwable e) {
        String layer = "";
        Throwable cause = e;
        if (e instanceof LayerFailure f) {
            layer = " (layer \"" + f.layer() + "\")";
            cause = f.getCause();
        }
        processingEnv.getMessager().printMessage(Kind.ERROR,
                Message.INTERNAL_ERROR.format(network.getQualifiedName(), layer, describe(cause)), network);
    }

    /** The exception and where it happened, without a stack trace. */
    private static String describe(Throwable e) {
        StackTraceElement[] trace = e.getStackTrace();
        String at = trace.length > 0 ? " at " + trace[0] : "";
        return e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + at;
    }
}
