package dev.strider.processor.read;

import dev.strider.dsl.Loss;
import dev.strider.dsl.Rounding;
import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.NetworkDecl;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;

/**
 * Reads a {@code @Network} class into a {@link NetworkDecl}: the only code that looks at DSL annotations. Checks
 * the declaration's structure (a class, an {@code @Input}, layer fields of type {@code Layer} with one layer
 * annotation each) and reports what is wrong; values are checked later, by the model.
 */
public final class NetworkReader {
    /** The outcome of reading one class. */
    public sealed interface Result {}

    /**
     * The declaration was read. With structural errors in the report it is {@link NetworkDecl#complete() incomplete}:
     * its values are still checked.
     */
    public record Read(NetworkDecl decl) implements Result {}

    /** The declaration cannot be read yet: a type it mentions is not resolved (another round may generate it). */
    public record Unresolved(String field, String what) implements Result {}

    /** The declaration is broken in a way javac itself reports (missing required values, wrong types), or in ways already reported here. */
    public record Unreadable() implements Result {}

    private final Elements elements;

    public NetworkReader(Elements elements) {
        this.elements = elements;
    }

    public Result read(TypeElement type, Report report) {
        AnnotationMirror network = mirror(type, DslNames.NETWORK);
        String name = type.getSimpleName().toString();
        JavacSourceRef networkRef = new JavacSourceRef(type, network, name);
        if (type.getKind() != ElementKind.CLASS) {
            report.add(Message.NETWORK_KIND, networkRef, null, name, article(type.getKind()));
            return new Unreadable();
        }
        AnnotationValues nv = AnnotationValues.read(network, elements);
        if (nv == null) {
            return new Unreadable();
        }
        // @Input on the class, or else on the nearest superclass that has one (a network that extends another)
        TypeElement inputType = type;
        AnnotationMirror input = mirror(type, DslNames.INPUT);
        for (TypeElement t = superclass(type); input == null && t != null; t = superclass(t)) {
            input = mirror(t, DslNames.INPUT);
            inputType = t;
        }
        AnnotationValues iv = null;
        if (input == null) {
            report.add(Message.MISSING_INPUT, networkRef, null, name);
        } else {
            iv = AnnotationValues.read(input, elements);
            if (iv == null) {
                return new Unreadable();
            }
        }
        List<LayerDecl> layers = new ArrayList<>();
        java.util.Map<String, JavacSourceRef> tensorNames = new java.util.HashMap<>();   // @TensorName per renamed layer
        BlockExpander blocks = new BlockExpander(elements, report, name);
        for (VariableElement field : layerFields(type, report, name)) {
            List<AnnotationMirror> layerMirrors = new ArrayList<>();
            for (AnnotationMirror m : field.getAnnotationMirrors()) {
                if (DslNames.layerKind(qualifiedName(m)) != null) {
                    layerMirrors.add(m);
                }
            }
            AnnotationMirror use = mirror(field, DslNames.USE);
            if (use != null && !layerMirrors.isEmpty()) {
                report.add(Message.MULTIPLE_LAYER_ANNOTATIONS, new JavacSourceRef(field, use, name + "." + field.getSimpleName()), null,
                        field.getSimpleName().toString(), layerMirrors.size() + 1, "@Use, @" + DslNames.layerKind(qualifiedName(layerMirrors.get(0))));
                continue;
            }
            if (use != null) {
                if (field.asType().getKind() == TypeKind.ERROR) {
                    return new Unresolved(field.getSimpleName().toString(), "the type " + field.asType() + " of field " + field.getSimpleName());
                }
                boolean isStatic = field.getModifiers().contains(Modifier.STATIC);
                boolean isLayer = field.asType().getKind() == TypeKind.DECLARED && field.asType().toString().equals(DslNames.LAYER_TYPE);
                if (isStatic || !isLayer) {
                    report.add(Message.LAYER_FIELD, new JavacSourceRef(field, null, name + "." + field.getSimpleName()), null,
                            field.getSimpleName().toString(), (isStatic ? "static " : "") + "of type " + field.asType(), field.getSimpleName().toString());
                    continue;
                }
                List<String> from = List.of();
                AnnotationMirror fromMirror = mirror(field, DslNames.FROM);
                if (fromMirror != null) {
                    AnnotationValues fv = AnnotationValues.read(fromMirror, elements);
                    if (fv == null) {
                        return new Unreadable();
                    }
                    from = ((List<?>) fv.values.get("value")).stream().map(String.class::cast).toList();
                }
                AnnotationMirror tensorName = mirror(field, DslNames.TENSOR_NAME);
                if (tensorName != null) {
                    String where = name + "." + field.getSimpleName();
                    report.add(Message.TENSOR_NAME, new JavacSourceRef(field, tensorName, where), "value", where,
                            "it names one layer's tensors, but this field uses a block",
                            "Put @TensorName on a layer field; a block's layers store their tensors as <use>_<layer>.weight, ....");
                }
                Training training = Training.of(field, report, name + "." + field.getSimpleName());
                int before = layers.size();
                if (!blocks.expand(field, use, from, layers)) {
                    return blocks.unresolved() != null ? new Unresolved(field.getSimpleName().toString(), blocks.unresolved()) : new Unreadable();
                }
                if (training != null) {
                    training.apply(layers, before);
                }
                continue;
            }
            if (layerMirrors.isEmpty()) {
                continue;
            }
            String fieldName = field.getSimpleName().toString();
            AnnotationMirror first = layerMirrors.get(0);
            JavacSourceRef ref = new JavacSourceRef(field, first, name + "." + fieldName);
            TypeMirror fieldType = field.asType();
            if (fieldType.getKind() == TypeKind.ERROR) {
                return new Unresolved(fieldName, "the type " + fieldType + " of field " + fieldName);
            }
            if (layerMirrors.size() > 1) {
                List<String> names = layerMirrors.stream().map(m -> "@" + DslNames.layerKind(qualifiedName(m))).toList();
                report.add(Message.MULTIPLE_LAYER_ANNOTATIONS, new JavacSourceRef(field, layerMirrors.get(1), ref.description()), null,
                        fieldName, layerMirrors.size(), String.join(", ", names));
                continue;
            }
            boolean isStatic = field.getModifiers().contains(Modifier.STATIC);
            boolean isLayer = fieldType.getKind() == TypeKind.DECLARED && fieldType.toString().equals(DslNames.LAYER_TYPE);
            if (isStatic || !isLayer) {
                report.add(Message.LAYER_FIELD, new JavacSourceRef(field, null, ref.description()), null, fieldName,
                        (isStatic ? "static " : "") + "of type " + fieldType, fieldName);
                continue;
            }
            AnnotationValues lv = AnnotationValues.read(first, elements);
            if (lv == null) {
                return new Unreadable();
            }
            List<String> from = List.of();
            JavacSourceRef fromRef = ref;
            AnnotationMirror fromMirror = mirror(field, DslNames.FROM);
            if (fromMirror != null) {
                AnnotationValues fv = AnnotationValues.read(fromMirror, elements);
                if (fv == null) {
                    return new Unreadable();
                }
                from = ((List<?>) fv.values.get("value")).stream().map(String.class::cast).toList();
                fromRef = new JavacSourceRef(field, fromMirror, ref.description());
            }
            Training training = Training.of(field, report, ref.description());
            LayerDecl decl = new LayerDecl(fieldName, DslNames.layerKind(qualifiedName(first)), lv.values, lv.explicit, ref, from, fromRef, null);
            AnnotationMirror tensorName = mirror(field, DslNames.TENSOR_NAME);
            if (tensorName != null) {
                String prefix = TensorNameCheck.read(tensorName, field, decl, ref.description(), report);
                if (prefix != null) {
                    decl = decl.tensorName(prefix);
                    tensorNames.put(fieldName, new JavacSourceRef(field, tensorName, ref.description()));
                }
            }
            layers.add(decl);
            if (training != null) {
                training.apply(layers, layers.size() - 1);
            }
        }
        TensorNameCheck.unique(layers, tensorNames, report);
        boolean complete = !report.hasErrors();
        PackageElement pkg = elements.getPackageOf(type);
        return new Read(new NetworkDecl(
                type.getQualifiedName().toString(),
                name,
                pkg.isUnnamed() ? "" : pkg.getQualifiedName().toString(),
                generatedBaseName(type),
                type.getModifiers().contains(Modifier.PUBLIC),
                iv == null ? 0 : ((Number) iv.values.get("channels")).longValue(),
                iv == null ? 0 : ((Number) iv.values.get("height")).longValue(),
                iv == null ? 0 : ((Number) iv.values.get("width")).longValue(),
                (Integer) nv.values.get("maxBatch"),
                (Long) nv.values.get("expectParams"),
                Loss.valueOf((String) nv.values.get("loss")),
                Rounding.valueOf((String) nv.values.get("rounding")),
                (Boolean) nv.values.get("inferenceOnly"),
                layers,
                networkRef,
                new JavacSourceRef(inputType, input, name),
                iv != null,
                complete));
    }

    /**
     * The fields of {@code type} and of its superclasses, the topmost superclass's first: a network may extend another
     * network (to build an inference-only engine of a network that trains, or one of another maxBatch, from one
     * declaration and one weights file). A layer field that hides an inherited one of the same name is an
     * error on it, and left out.
     */
    private static List<VariableElement> layerFields(TypeElement type, Report report, String name) {
        java.util.ArrayDeque<TypeElement> chain = new java.util.ArrayDeque<>();
        for (TypeElement t = type; t != null; t = superclass(t)) {
            chain.addFirst(t);
        }
        List<VariableElement> fields = new ArrayList<>();
        java.util.Map<String, TypeElement> declaredIn = new java.util.HashMap<>();
        for (TypeElement t : chain) {
            for (VariableElement f : ElementFilter.fieldsIn(t.getEnclosedElements())) {
                boolean layer = mirror(f, DslNames.USE) != null
                        || f.getAnnotationMirrors().stream().anyMatch(m -> DslNames.layerKind(qualifiedName(m)) != null);
                String fieldName = f.getSimpleName().toString();
                if (layer && declaredIn.containsKey(fieldName)) {
                    report.add(Message.HIDDEN_LAYER, new JavacSourceRef(f, null, name + "." + fieldName), null,
                            t.getSimpleName().toString(), fieldName, declaredIn.get(fieldName).getQualifiedName().toString());
                    continue;
                }
                if (layer) {
                    declaredIn.put(fieldName, t);
                }
                fields.add(f);
            }
        }
        return fields;
    }

    /** The superclass of {@code type}, or null for one that extends {@code Object} (or whose superclass is not resolved). */
    private static TypeElement superclass(TypeElement type) {
        TypeMirror s = type.getSuperclass();
        if (s.getKind() != TypeKind.DECLARED) {
            return null;
        }
        TypeElement t = (TypeElement) ((javax.lang.model.type.DeclaredType) s).asElement();
        return t.getQualifiedName().contentEquals("java.lang.Object") ? null : t;
    }

    /** {@code Outer_Inner} for a nested class, the simple name for a top-level one. */
    static String generatedBaseName(TypeElement type) {
        StringBuilder s = new StringBuilder(type.getSimpleName());
        Element e = type;
        while (e instanceof TypeElement t && t.getNestingKind() == NestingKind.MEMBER) {
            e = t.getEnclosingElement();
            s.insert(0, e.getSimpleName() + "_");
        }
        return s.toString();
    }

    static AnnotationMirror mirror(Element element, String qualifiedName) {
        for (AnnotationMirror m : element.getAnnotationMirrors()) {
            if (qualifiedName(m).equals(qualifiedName)) {
                return m;
            }
        }
        return null;
    }

    static String qualifiedName(AnnotationMirror m) {
        return ((TypeElement) m.getAnnotationType().asElement()).getQualifiedName().toString();
    }

    private static String article(ElementKind kind) {
        String k = kind.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        return (k.startsWith("a") || k.startsWith("e") || k.startsWith("i") ? "an " : "a ") + k;
    }
}
