package dev.strider.processor.layer;

import dev.strider.dsl.Rounding;
import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.model.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * What a layer sees of the network while its output shape is inferred: the report, the network's rounding
 * policy, and the path of shapes leading to it (quoted in messages).
 */
public final class ShapeContext {
    private static final int PATH_STEPS = 6;
    private final Report report;
    private final Rounding networkRounding;
    private final List<String> steps = new ArrayList<>();

    public ShapeContext(Report report, Rounding networkRounding, Shape input) {
        this.report = report;
        this.networkRounding = networkRounding;
        steps.add("input " + input);
    }

    public Report report() {
        return report;
    }

    /** The policy a layer applies: its own unless {@code INHERIT}. */
    public Rounding rounding(Rounding layerRounding) {
        return layerRounding == Rounding.INHERIT ? networkRounding : layerRounding;
    }

    /** Replaces the path with {@code steps} (the path to the layer whose shape is inferred next). */
    public void path(List<String> steps) {
        this.steps.clear();
        this.steps.addAll(steps);
    }

    /** The path's steps so far. */
    public List<String> steps() {
        return List.copyOf(steps);
    }

    /** Records that {@code layer} produced {@code out}. */
    public void step(String layer, Shape out) {
        steps.add(layer + " " + out);
    }

    /** The shapes so far, e.g. {@code input [1,28,28] -> c1 [6,28,28] -> s2 [6,14,14]} (the last few steps). */
    public String path() {
        return join(steps);
    }

    /** Steps as a path: {@code input [1,28,28] -> c1 [6,28,28] -> ...}, the first and the last few. */
    public static String join(List<String> steps) {
        if (steps.size() <= PATH_STEPS) {
            return String.join(" -> ", steps);
        }
        return steps.get(0) + " -> ... -> " + String.join(" -> ", steps.subList(steps.size() - (PATH_STEPS - 1), steps.size()));
    }

    /** The name of the layer that produced the current input, or {@code input}. */
    public String producer() {
        String last = steps.get(steps.size() - 1);
        return last.startsWith("input ") ? "the input" : "\"" + last.substring(0, last.indexOf(' ')) + "\"";
    }

    void error(Layer layer, Message message, String attribute, Object... args) {
        report.add(message, layer.ref(), attribute, args);
    }

    /** Reports that {@code layer} needs a spatial input and got a flat one. */
    Shape needsSpatial(Layer layer, Shape in) {
        error(layer, Message.NEEDS_SPATIAL_INPUT, null, layer.label(), producer(), in, path());
        return null;
    }
}
