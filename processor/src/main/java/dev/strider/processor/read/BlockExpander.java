package dev.strider.processor.read;

import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.model.LayerDecl;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;

/**
 * Expands {@code @Use} fields into the layers of their {@code @Block}: names prefixed with the use's name (the
 * block's last layer takes the use's name itself), {@code @Bind} attributes set from the use's {@code @Arg}s,
 * {@code @From} names mapped ({@code "input"} to what the use takes), blocks inside blocks expanded in turn. Every
 * expanded layer is located at the outermost use in the network, and its {@code origin} names the layer of the block
 * and the use, so that an error in a block used many times says which use.
 *
 * <p>Errors in the block itself (a {@code @Bind} that names no attribute or parameter) are reported once per block,
 * on the block's field; errors of a use (missing or unknown arguments, a class that is not a block, a block that
 * uses itself) on the use.
 */
final class BlockExpander {
    private final Elements elements;
    private final Report report;
    private final String networkName;
    private final Set<String> reportedBlocks = new HashSet<>();
    /** An expansion was abandoned (its error may have been reported earlier, once per block). */
    private boolean failed;
    /** What could not be resolved (a block class generated in a later round), or null. */
    private String unresolved;
    /** At most this many uses in one {@code @Use}: more is a mistake (and a very slow compile). */
    static final int MAX_REPEAT = 10_000;

    BlockExpander(Elements elements, Report report, String networkName) {
        this.elements = elements;
        this.report = report;
        this.networkName = networkName;
    }

    /** A block's declaration as read once: its parameters and its fields in order. */
    private record BlockDecl(TypeElement type, List<String> params) {}

    /**
     * Appends the layers of the use on {@code field} to {@code out}; {@code input} is what the use takes (a layer
     * name or "input"). Returns false when a value could not be read (javac reports it).
     */
    boolean expand(VariableElement field, AnnotationMirror use, List<String> from, List<LayerDecl> out) {
        JavacSourceRef at = new JavacSourceRef(field, use, networkName + "." + field.getSimpleName());
        int errors = report.errorCount();
        failed = false;
        boolean read = expandUse(field.getSimpleName().toString(), use, Map.of(), from, at, new ArrayDeque<>(), out, null);
        if (read && failed && report.errorCount() == errors) {
            // the block's own error was reported at its first use: this use is broken too, and must say so
            report.add(Message.BLOCK_USE, at, "value", field.getSimpleName().toString(), "a block it uses has an error, reported on "
                    + "the block", "Fix the block.");
        }
        return read;
    }

    /** The type that could not be resolved when {@link #expand} returned false because of it, else null. */
    String unresolved() {
        return unresolved;
    }

    private boolean fail() {
        failed = true;
        return true;
    }

    /** {@code bound}: arguments a {@code @Bind} on a use inside a block gives from that block's parameters. */
    private boolean expandUse(String useName, AnnotationMirror use, Map<String, Integer> bound, List<String> from, JavacSourceRef at,
            Deque<String> stack, List<LayerDecl> out, String outerOrigin) {
        Map<String, AnnotationValue> values = values(use);
        Object blockValue = values.get("value").getValue();
        if (!(blockValue instanceof DeclaredType dt) || dt.getKind() == javax.lang.model.type.TypeKind.ERROR
                || !(dt.asElement() instanceof TypeElement blockType)) {
            unresolved = "the block class " + blockValue + " of @Use " + useName;   // perhaps generated in a later round
            return false;
        }
        String blockName = blockType.getSimpleName().toString();
        AnnotationMirror blockAnnotation = NetworkReader.mirror(blockType, DslNames.BLOCK);
        if (blockAnnotation == null) {
            report.add(Message.BLOCK_USE, at, "value", useName, blockType.getQualifiedName() + " is not annotated @Block",
                    "Annotate it with @Block(params = {...}), or name a block class.");
            return fail();
        }
        if (stack.contains(blockType.getQualifiedName().toString())) {
            report.add(Message.BLOCK_USE, at, "value", useName, "block " + blockName + " uses itself (" + String.join(" -> ", stack)
                    + " -> " + blockName + ")", "A block may use other blocks, but not itself.");
            return fail();
        }
        List<String> params = new ArrayList<>();
        for (AnnotationValue v : list(values(blockAnnotation).get("params"))) {
            params.add((String) v.getValue());
        }
        Map<String, Integer> args = new LinkedHashMap<>();
        boolean ok = true;
        for (AnnotationValue v : list(values.get("args"))) {
            Map<String, AnnotationValue> arg = values((AnnotationMirror) v.getValue());
            String name = (String) arg.get("name").getValue();
            if (!params.contains(name)) {
                report.add(Message.BLOCK_USE, at, "args", useName, "@Arg(name = \"" + name + "\") is no parameter of block " + blockName,
                        "Its parameters: " + (params.isEmpty() ? "none" : String.join(", ", params)) + ".");
                ok = false;
            } else if (args.put(name, (Integer) arg.get("value").getValue()) != null) {
                report.add(Message.BLOCK_USE, at, "args", useName, "parameter " + name + " is given twice", "Give it once.");
                ok = false;
            }
        }
        for (Map.Entry<String, Integer> b : bound.entrySet()) {
            if (!params.contains(b.getKey())) {
                report.add(Message.BLOCK_USE, at, "value", useName, "@Bind sets " + b.getKey() + ", which is no parameter of block " + blockName,
                        "Its parameters: " + (params.isEmpty() ? "none" : String.join(", ", params)) + ".");
                ok = false;
            }
            args.put(b.getKey(), b.getValue());
        }
        List<String> missing = params.stream().filter(p -> !args.containsKey(p)).toList();
        if (!missing.isEmpty()) {
            report.add(Message.BLOCK_USE, at, "args", useName, "block " + blockName + " needs " + String.join(", ", missing)
                    + " but the use does not give " + (missing.size() == 1 ? "it" : "them"),
                    "Add @Arg(name = \"" + missing.get(0) + "\", value = ...)" + (missing.size() > 1 ? " for each" : "") + ".");
            ok = false;
        }
        String named = (String) values.get("name").getValue();
        if (!named.isEmpty()) {
            if (!javax.lang.model.SourceVersion.isIdentifier(named)) {
                report.add(Message.BLOCK_USE, at, "name", useName, "name = \"" + named + "\" is not a Java identifier",
                        "Layer names are Java identifiers, as field names are.");
                return fail();
            }
            useName = named;
        }
        int repeat = (Integer) values.get("repeat").getValue();
        int index = (Integer) values.get("index").getValue();
        if (repeat < 1 || repeat > MAX_REPEAT || index < 0 || (long) index + repeat - 1 > Integer.MAX_VALUE) {
            report.add(Message.BLOCK_USE, at, repeat < 1 || repeat > MAX_REPEAT ? "repeat" : "index", useName,
                    repeat < 1 ? "repeat = " + repeat + " uses the block no time"
                            : repeat > MAX_REPEAT ? "repeat = " + repeat + " is more than " + MAX_REPEAT + " uses"
                            : index < 0 ? "index = " + index + " is negative" : "index = " + index + " with repeat = " + repeat + " numbers past the largest int",
                    repeat < 1 || repeat > MAX_REPEAT ? "Use repeat between 1 and " + MAX_REPEAT + "." : "Number the uses from 0 or more, in the int range.");
            ok = false;
        }
        if (!ok) {
            return fail();
        }
        String problem = structure(blockType, blockName);
        if (problem != null) {
            report.add(Message.BLOCK_USE, at, "value", useName, problem, "Fix the block: end it with an @Identity layer, or declare its layers.");
            return fail();
        }
        stack.addLast(blockType.getQualifiedName().toString());
        try {
            List<String> input = from;
            for (int r = 0; r < repeat; r++) {
                String instance = repeat == 1 ? useName : useName + "_" + (index + r);
                if (!expandInstance(instance, blockType, blockName, args, input, at, stack, out, outerOrigin)) {
                    return false;
                }
                input = List.of(instance);
            }
        } finally {
            stack.removeLast();
        }
        return true;
    }

    /** One use of a block, named {@code instance}, taking {@code input} (empty: the layer before it). */
    private boolean expandInstance(String instance, TypeElement blockType, String blockName, Map<String, Integer> args, List<String> input,
            JavacSourceRef at, Deque<String> stack, List<LayerDecl> out, String outerOrigin) {
        List<VariableElement> fields = new ArrayList<>();
        for (VariableElement f : ElementFilter.fieldsIn(blockType.getEnclosedElements())) {
            if (layerMirror(f) != null || NetworkReader.mirror(f, DslNames.USE) != null) {
                fields.add(f);
            }
        }

        String last = fields.get(fields.size() - 1).getSimpleName().toString();
        Map<String, String> rename = new HashMap<>();
        for (VariableElement f : fields) {
            String n = f.getSimpleName().toString();
            rename.put(n, n.equals(last) ? instance : instance + "_" + n);
        }
        String blockInput = input.isEmpty() ? (out.isEmpty() ? "input" : out.get(out.size() - 1).name()) : null;
        boolean first = true;
        for (VariableElement f : fields) {
            String n = f.getSimpleName().toString();
            String origin = n + " of block " + blockName + " used as " + instance + (outerOrigin == null ? "" : ", in " + outerOrigin);
            List<String> from = new ArrayList<>();
            AnnotationMirror fromMirror = NetworkReader.mirror(f, DslNames.FROM);
            if (fromMirror != null) {
                for (AnnotationValue v : list(values(fromMirror).get("value"))) {
                    String target = (String) v.getValue();
                    if (target.equals(dev.strider.dsl.From.INPUT)) {
                        from.addAll(input.isEmpty() ? List.of(blockInput) : input);
                    } else if (rename.containsKey(target)) {
                        from.add(rename.get(target));
                    } else {
                        if (reportedBlocks.add(blockType.getQualifiedName() + "." + n + "@From")) {
                            report.add(Message.BLOCK_USE, new JavacSourceRef(f, fromMirror, blockName + "." + n), "value", instance,
                                    "layer " + n + " of block " + blockName + " takes \"" + target + "\" (@From), which is no layer of the "
                                            + "block and not \"input\"", "The block's layers: " + String.join(", ", rename.keySet().stream().sorted().toList()) + ".");
                        }
                        return fail();
                    }
                }
            } else if (first) {
                from.addAll(input.isEmpty() ? List.of(blockInput) : input);
            }
            AnnotationMirror tensorName = NetworkReader.mirror(f, DslNames.TENSOR_NAME);
            if (tensorName != null) {
                if (reportedBlocks.add(blockType.getQualifiedName() + "." + n + "@TensorName")) {
                    report.add(Message.TENSOR_NAME, new JavacSourceRef(f, tensorName, blockName + "." + n), "value", blockName + "." + n,
                            "a block's layers are repeated in every use, so one tensor name cannot fit them all",
                            "Declare the layer in the network itself, or load the block's tensors under their own names ("
                                    + "<use>_<layer>.weight; see TensorNames).");
                }
                return fail();
            }
            AnnotationMirror use = NetworkReader.mirror(f, DslNames.USE);
            // a bad multiplier is reported once, on the block's field, like the block's other errors
            Training training = Training.of(f, reportedBlocks.add(blockType.getQualifiedName() + "." + n + "@LearningRate") ? report : null,
                    blockName + "." + n);
            if (training == null) {
                return fail();
            }
            if (use != null) {
                int before = out.size();
                Map<String, Integer> bound = new LinkedHashMap<>();
                if (!bindArgs(f, blockType, blockName, args, bound, at, instance)) {
                    return fail();
                }
                if (!expandUse(rename.get(n), use, bound, from, at, stack, out, origin)) {
                    return false;
                }
                if (out.size() == before) {
                    return fail(); // the inner use was reported
                }
                training.apply(out, before);
            } else {
                AnnotationMirror layer = layerMirror(f);
                AnnotationValues lv = AnnotationValues.read(layer, elements);
                if (lv == null) {
                    return false;
                }
                Map<String, Object> v = new LinkedHashMap<>(lv.values);
                Set<String> explicit = new HashSet<>(lv.explicit);
                if (!bind(f, blockType, blockName, v, explicit, args, at, instance)) {
                    return fail();
                }
                JavacSourceRef ref = new JavacSourceRef(at.element(), at.annotation(), at.description() + " (" + origin + ")");
                out.add(new LayerDecl(rename.get(n), DslNames.layerKind(NetworkReader.qualifiedName(layer)), v, explicit, ref, from, ref, origin));
                training.apply(out, out.size() - 1);
            }
            first = false;
        }
        return true;
    }

    /** Applies {@code @Bind} on block field {@code f}; false (after reporting, once per block) when it is wrong. */
    private boolean bind(VariableElement f, TypeElement blockType, String blockName, Map<String, Object> values, Set<String> explicit,
            Map<String, Integer> args, JavacSourceRef useAt, String useName) {
        AnnotationMirror bindMirror = NetworkReader.mirror(f, DslNames.BIND);
        if (bindMirror == null) {
            return true;
        }
        boolean report = reportedBlocks.add(blockType.getQualifiedName() + "." + f.getSimpleName());
        JavacSourceRef at = new JavacSourceRef(f, bindMirror, blockName + "." + f.getSimpleName());
        for (AnnotationValue b : list(values(bindMirror).get("value"))) {
            String pair = (String) b.getValue();
            int eq = pair.indexOf('=');
            String attribute = eq < 0 ? "" : pair.substring(0, eq).strip();
            String param = eq < 0 ? "" : pair.substring(eq + 1).strip();
            String problem = null;
            if (eq < 0 || attribute.isEmpty() || param.isEmpty()) {
                problem = "\"" + pair + "\" is not of the form \"attribute=param\"";
            } else if (!values.containsKey(attribute)) {
                problem = "the layer has no attribute " + attribute + " (it has " + String.join(", ", new java.util.TreeSet<>(values.keySet())) + ")";
            } else if (product(param, args) == null) {
                problem = "\"" + param + "\" is not a parameter of block " + blockName + " (" + String.join(", ", args.keySet())
                        + "), an int, or a product of them such as width*4";
            } else if (!(values.get(attribute) instanceof Integer || values.get(attribute) instanceof Double || values.get(attribute) instanceof List<?>)) {
                problem = "attribute " + attribute + " is not a number, so no int parameter can set it";
            }
            if (problem != null) {
                if (report) {
                    this.report.add(Message.BLOCK_BIND, at, "value", blockName + "." + f.getSimpleName(), problem);
                }
                return false;
            }
            if (!fitsInt(pair, param, args, useAt, useName)) {
                return false;
            }
            int value = product(param, args).intValue();
            Object old = values.get(attribute);
            values.put(attribute, old instanceof Integer ? (Object) value : old instanceof Double ? (Object) (double) value : List.of(value));
            explicit.add(attribute);
        }
        return true;
    }

    /** {@code @Bind} on a use inside a block: the inner block's arguments from this block's parameters. */
    private boolean bindArgs(VariableElement f, TypeElement blockType, String blockName, Map<String, Integer> args, Map<String, Integer> bound,
            JavacSourceRef useAt, String useName) {
        AnnotationMirror bindMirror = NetworkReader.mirror(f, DslNames.BIND);
        if (bindMirror == null) {
            return true;
        }
        boolean report = reportedBlocks.add(blockType.getQualifiedName() + "." + f.getSimpleName());
        JavacSourceRef at = new JavacSourceRef(f, bindMirror, blockName + "." + f.getSimpleName());
        for (AnnotationValue b : list(values(bindMirror).get("value"))) {
            String pair = (String) b.getValue();
            int eq = pair.indexOf('=');
            String arg = eq < 0 ? "" : pair.substring(0, eq).strip();
            Long value = eq < 0 ? null : product(pair.substring(eq + 1).strip(), args);
            if (arg.isEmpty() || value == null) {
                if (report) {
                    this.report.add(Message.BLOCK_BIND, at, "value", blockName + "." + f.getSimpleName(), eq < 0 || arg.isEmpty()
                            ? "\"" + pair + "\" is not of the form \"param=value\""
                            : "\"" + pair.substring(eq + 1).strip() + "\" is not a parameter of block " + blockName + " ("
                                    + String.join(", ", args.keySet()) + "), an int, or a product of them such as width*4");
                }
                return false;
            }
            if (!fitsInt(pair, pair.substring(eq + 1).strip(), args, useAt, useName)) {
                return false;
            }
            bound.put(arg, value.intValue());
        }
        return true;
    }

    /**
     * A parameter, an int literal, or a product of them ({@code width*4}), exactly (saturating at the long range);
     * null when a factor is none of these.
     */
    static Long product(String expression, Map<String, Integer> args) {
        long product = 1;
        for (String factor : expression.split("\\*", -1)) {
            String f = factor.strip();
            long v;
            if (args.containsKey(f)) {
                v = args.get(f);
            } else if (f.matches("\\d{1,9}")) {
                v = Long.parseLong(f);
            } else {
                return null;
            }
            try {
                product = Math.multiplyExact(product, v);
            } catch (ArithmeticException e) {
                product = (product < 0) == (v < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
            }
        }
        return product;
    }

    /** Whether {@code expression} gives an int with this use's arguments; reports on the use (every use) when not. */
    private boolean fitsInt(String bind, String expression, Map<String, Integer> args, JavacSourceRef useAt, String useName) {
        long v = product(expression, args);
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return true;
        }
        report.add(Message.BLOCK_USE, useAt, "args", useName, "@Bind(\"" + bind + "\") gives " + expression + " = "
                + (v == Long.MAX_VALUE || v == Long.MIN_VALUE ? "more than a long holds" : String.format(java.util.Locale.ROOT, "%,d", v))
                + " with this use's arguments, which is no int", "Use smaller arguments.");
        return false;
    }

    /**
     * What makes {@code blockType} unusable whatever the arguments, or null: no layers, or a last field that is a
     * {@code @Use} with {@code repeat} or {@code name} (the block's output would then have no single name).
     */
    private String structure(TypeElement blockType, String blockName) {
        VariableElement last = null;
        for (VariableElement f : ElementFilter.fieldsIn(blockType.getEnclosedElements())) {
            if (layerMirror(f) != null || NetworkReader.mirror(f, DslNames.USE) != null) {
                last = f;
            }
        }
        if (last == null) {
            return "block " + blockName + " declares no layers";
        }
        AnnotationMirror use = NetworkReader.mirror(last, DslNames.USE);
        if (use != null) {
            Map<String, AnnotationValue> v = values(use);
            if ((Integer) v.get("repeat").getValue() != 1 || !((String) v.get("name").getValue()).isEmpty()) {
                return "block " + blockName + " ends with a @Use with repeat or name (" + last.getSimpleName()
                        + "), so the block's output would have no single name";
            }
        }
        return null;
    }

    private static AnnotationMirror layerMirror(VariableElement f) {
        for (AnnotationMirror m : f.getAnnotationMirrors()) {
            if (DslNames.layerKind(NetworkReader.qualifiedName(m)) != null) {
                return m;
            }
        }
        return null;
    }

    private Map<String, AnnotationValue> values(AnnotationMirror m) {
        Map<String, AnnotationValue> out = new HashMap<>();
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e : elements.getElementValuesWithDefaults(m).entrySet()) {
            out.put(e.getKey().getSimpleName().toString(), e.getValue());
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<AnnotationValue> list(AnnotationValue v) {
        return v == null ? List.of() : (List<AnnotationValue>) v.getValue();
    }
}
