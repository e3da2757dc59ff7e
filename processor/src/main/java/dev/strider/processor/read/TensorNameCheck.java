package dev.strider.processor.read;

import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.model.LayerDecl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;

/** Reads and checks a layer field's {@code @TensorName}: its form, that the layer has tensors, and that no other layer has the name. */
final class TensorNameCheck {
    /** Letters, digits, {@code _} and {@code -}, in parts with dots between them ({@code features.0}, {@code layer1.0.conv1}). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    /** The layer kinds that own tensors (weights, biases, running statistics). */
    private static final Set<String> WITH_TENSORS = Set.of("Conv", "ConvTranspose", "Dense", "BatchNorm");

    private TensorNameCheck() {}

    /** The prefix {@code annotation} gives {@code layer}, or null after reporting why it cannot be used. */
    static String read(AnnotationMirror annotation, Element field, LayerDecl layer, String where, Report report) {
        JavacSourceRef ref = new JavacSourceRef(field, annotation, where);
        String prefix = null;
        for (var e : annotation.getElementValues().entrySet()) {
            if (e.getKey().getSimpleName().contentEquals("value") && e.getValue().getValue() instanceof String v) {
                prefix = v;
            }
        }
        if (prefix == null) {
            return null; // javac reports the missing value
        }
        if (!NAME.matcher(prefix).matches()) {
            report.add(Message.TENSOR_NAME, ref, "value", where, "\"" + prefix + "\" is not a tensor name",
                    "Use letters, digits, _ and -, with single dots between parts (as \"features.0\").");
            return null;
        }
        if (!WITH_TENSORS.contains(layer.kind())) {
            report.add(Message.TENSOR_NAME, ref, "value", where, "layer \"" + layer.name() + "\" (" + layer.kind() + ") has no tensors to name",
                    "Remove it: only convolutions, dense layers and batch norm own tensors.");
            return null;
        }
        return prefix;
    }

    /**
     * Reports every layer whose tensor prefix an earlier layer already has, on the {@code @TensorName} that made the
     * clash ({@code refs}: each renamed layer's annotation), so that no two layers store the same tensor.
     */
    static void unique(List<LayerDecl> layers, Map<String, JavacSourceRef> refs, Report report) {
        Map<String, LayerDecl> seen = new HashMap<>();
        for (LayerDecl l : layers) {
            if (!WITH_TENSORS.contains(l.kind())) {
                continue;
            }
            LayerDecl other = seen.putIfAbsent(l.tensorPrefix(), l);
            if (other == null) {
                continue;
            }
            LayerDecl renamed = refs.containsKey(l.name()) ? l : other;
            JavacSourceRef ref = refs.get(renamed.name());
            if (ref == null) {
                continue; // two layers of the same name: reported as such elsewhere
            }
            LayerDecl clash = renamed == l ? other : l;
            report.add(Message.TENSOR_NAME, ref, "value", ref.description(),
                    "\"" + l.tensorPrefix() + "\" is also the tensor name of layer \"" + clash.name() + "\"",
                    "Give each layer its own tensor name: two layers cannot both store " + l.tensorPrefix() + ".weight.");
        }
    }
}
