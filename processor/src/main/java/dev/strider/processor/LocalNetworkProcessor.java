package dev.strider.processor;

import com.google.auto.service.AutoService;
import dev.strider.processor.read.LocalNetworks;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;

/**
 * Reports {@code @Network} classes declared inside methods. javac never hands such classes to a processor, and a
 * compilation whose only network is local never calls {@link StriderProcessor} at all; so this processor looks at
 * every compilation (supported types {@code *}), scans the source trees once, claims nothing and generates nothing.
 */
@AutoService(Processor.class)
public final class LocalNetworkProcessor extends AbstractProcessor {
    private boolean done;

    @Override
    public Set<String> getSupportedAnnotationTypes() {
        return Set.of("*");
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        if (!done && !round.processingOver()) {
            done = true;
            try {
                LocalNetworks.reportOnce(processingEnv, round.getRootElements());
            } catch (RuntimeException | LinkageError e) {
                // A best-effort check must never break a build: say so once and carry on.
                processingEnv.getMessager().printMessage(javax.tools.Diagnostic.Kind.NOTE,
                        "Strider could not scan for local @Network classes: " + e);
            }
        }
        return false;
    }
}
