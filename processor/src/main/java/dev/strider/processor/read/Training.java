package dev.strider.processor.read;

import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.model.LayerDecl;
import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;

/**
 * How a field's layers train: {@code @Frozen} and {@code @LearningRate} on a layer field, or on a {@code @Use}
 * field for every layer of the block.
 *
 * @param frozen whether the field is {@code @Frozen}
 * @param scale its {@code @LearningRate} multiplier (1 without one)
 */
record Training(boolean frozen, double scale) {
    static final Training NORMAL = new Training(false, 1.0);

    /**
     * The field's training, or null for a multiplier that is not positive and finite (reported to {@code report}
     * unless it is null: a block field's error was reported at the block's first use).
     */
    static Training of(Element field, Report report, String description) {
        boolean frozen = NetworkReader.mirror(field, DslNames.FROZEN) != null;
        AnnotationMirror rate = NetworkReader.mirror(field, DslNames.LEARNING_RATE);
        double scale = 1.0;
        if (rate != null) {
            for (var e : rate.getElementValues().entrySet()) {
                ExecutableElement key = e.getKey();
                AnnotationValue value = e.getValue();
                if (key.getSimpleName().contentEquals("value") && value.getValue() instanceof Number n) {
                    scale = n.doubleValue();
                }
            }
            if (!(scale > 0) || Double.isInfinite(scale)) {
                if (report != null) {
                    report.add(Message.LEARNING_RATE, new JavacSourceRef(field, rate, description), "value", description, scale);
                }
                return null;
            }
        }
        return frozen || scale != 1.0 ? new Training(frozen, scale) : NORMAL;
    }

    /** Applies this training to {@code layers[from..]}, the layers one field (a use) added. */
    void apply(List<LayerDecl> layers, int from) {
        if (this == NORMAL) {
            return;
        }
        for (int i = from; i < layers.size(); i++) {
            layers.set(i, layers.get(i).training(frozen, scale));
        }
    }
}
