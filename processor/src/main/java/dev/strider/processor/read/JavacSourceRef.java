package dev.strider.processor.read;

import dev.strider.processor.model.SourceRef;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;

/** A position in the user's source: an element and, usually, one of its annotations. */
public record JavacSourceRef(Element element, AnnotationMirror annotation, String description) implements SourceRef {
    @Override
    public String describe() {
        return description;
    }

    /**
     * The value of {@code attribute} if the user wrote it (a defaulted value has no source position), else
     * {@code null}.
     */
    public AnnotationValue explicitValue(String attribute) {
        if (annotation == null || attribute == null) {
            return null;
        }
        for (var e : annotation.getElementValues().entrySet()) {
            ExecutableElement method = e.getKey();
            if (method.getSimpleName().contentEquals(attribute)) {
                return e.getValue();
            }
        }
        return null;
    }
}
