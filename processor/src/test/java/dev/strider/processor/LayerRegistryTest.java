package dev.strider.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.strider.processor.diag.Report;
import dev.strider.processor.layer.Layer;
import dev.strider.processor.layer.Layers;
import dev.strider.processor.read.DslNames;
import java.lang.annotation.ElementType;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The read phase, the layer registry and the DSL agree on the set of layer kinds. */
class LayerRegistryTest {
    private static final List<Class<?>> DSL_ANNOTATIONS = List.of(
            dev.strider.dsl.Conv.class, dev.strider.dsl.MaxPool.class, dev.strider.dsl.AvgPool.class,
            dev.strider.dsl.GlobalAvgPool.class, dev.strider.dsl.Dense.class, dev.strider.dsl.Flatten.class,
            dev.strider.dsl.Dropout.class, dev.strider.dsl.BatchNorm.class, dev.strider.dsl.ReLU.class,
            dev.strider.dsl.LeakyReLU.class, dev.strider.dsl.Sigmoid.class, dev.strider.dsl.Tanh.class,
            dev.strider.dsl.Softmax.class, dev.strider.dsl.Add.class, dev.strider.dsl.Concat.class, dev.strider.dsl.ReLU6.class,
            dev.strider.dsl.Identity.class, dev.strider.dsl.LRN.class, dev.strider.dsl.ConvTranspose.class,
            dev.strider.dsl.Upsample.class, dev.strider.dsl.AdaptiveAvgPool.class, dev.strider.dsl.ChannelShuffle.class,
            dev.strider.dsl.L2Pool.class,
            dev.strider.dsl.Network.class,
            dev.strider.dsl.Input.class, dev.strider.dsl.From.class);
    /** Field annotations that are not layers: {@code @From} wires a layer's inputs. */
    private static final List<String> WIRING = List.of("From");

    @Test
    void everyFieldAnnotationOfTheDslIsALayerKind() {
        List<String> fieldAnnotations = new ArrayList<>();
        for (Class<?> c : DSL_ANNOTATIONS) {
            Target t = c.getAnnotation(Target.class);
            if (Arrays.asList(t.value()).contains(ElementType.FIELD) && !WIRING.contains(c.getSimpleName())) {
                fieldAnnotations.add(c.getSimpleName());
            }
        }
        assertEquals(fieldAnnotations, DslNames.LAYER_KINDS);
    }

    @Test
    void everyKindHasARuleClassWithTheDefaultsOfItsAnnotation() throws Exception {
        for (String kind : DslNames.LAYER_KINDS) {
            Class<?> annotation = Class.forName("dev.strider.dsl." + kind);
            List<Object> values = new ArrayList<>();
            for (var m : annotation.getDeclaredMethods()) {
                if (m.getDefaultValue() == null) { // required values: give valid ones
                    values.add(m.getName());
                    values.add(m.getReturnType() == double.class ? (Object) 0.5 : (Object) 2);
                }
            }
            Report report = new Report();
            Layer layer = Layers.create(Decls.layer(kind, "x", values.toArray()), report);
            assertEquals(kind, layer.type());
            assertFalse(report.hasErrors(), () -> kind + ": " + report.items());
        }
    }
}
