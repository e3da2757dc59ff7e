package dev.strider.processor.read;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;

/**
 * Converts an annotation mirror into plain Java values (defaults filled in), checked against each element's
 * declared type. A value that does not have its declared type (the user's code has a compile error there, which
 * javac reports itself) makes the whole annotation unreadable: {@link #read} returns {@code null}.
 */
final class AnnotationValues {
    final Map<String, Object> values;
    final Set<String> explicit;

    private AnnotationValues(Map<String, Object> values, Set<String> explicit) {
        this.values = values;
        this.explicit = explicit;
    }

    static AnnotationValues read(AnnotationMirror mirror, Elements elements) {
        Map<String, Object> values = new HashMap<>();
        Set<String> explicit = new HashSet<>();
        for (ExecutableElement m : mirror.getElementValues().keySet()) {
            explicit.add(m.getSimpleName().toString());
        }
        Map<? extends ExecutableElement, ? extends AnnotationValue> all = elements.getElementValuesWithDefaults(mirror);
        for (var method : javax.lang.model.util.ElementFilter.methodsIn(mirror.getAnnotationType().asElement().getEnclosedElements())) {
            AnnotationValue value = all.get(method);
            if (value == null) {
                return null; // a required value is missing: javac reports it
            }
            Object converted = convert(value.getValue(), method.getReturnType());
            if (converted == null) {
                return null;
            }
            values.put(method.getSimpleName().toString(), converted);
        }
        return new AnnotationValues(values, explicit);
    }

    private static Object convert(Object v, TypeMirror type) {
        TypeKind kind = type.getKind();
        switch (kind) {
            case INT:
                return v instanceof Integer ? v : null;
            case LONG:
                return v instanceof Long || v instanceof Integer ? ((Number) v).longValue() : null;
            case DOUBLE:
                return v instanceof Double || v instanceof Float || v instanceof Integer || v instanceof Long
                        ? ((Number) v).doubleValue() : null;
            case BOOLEAN:
                return v instanceof Boolean ? v : null;
            case ARRAY: {
                if (!(v instanceof List<?> list)) {
                    return null;
                }
                TypeMirror component = ((ArrayType) type).getComponentType();
                List<Object> out = new ArrayList<>();
                for (Object item : list) {
                    if (!(item instanceof AnnotationValue av)) {
                        return null;
                    }
                    Object c = convert(av.getValue(), component);
                    if (c == null) {
                        return null;
                    }
                    out.add(c);
                }
                return List.copyOf(out);
            }
            case DECLARED:
                if (v instanceof VariableElement constant) {
                    return constant.getSimpleName().toString();
                }
                return v instanceof String && type.toString().equals("java.lang.String") ? v : null;
            default:
                return null;
        }
    }
}
