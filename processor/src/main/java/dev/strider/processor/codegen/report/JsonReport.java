package dev.strider.processor.codegen.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.strider.processor.lower.EnginePlan;
import dev.strider.processor.model.ReceptiveField;
import dev.strider.processor.model.Shape;
import dev.strider.processor.validate.CheckedLayer;
import dev.strider.processor.validate.CheckedNetwork;

/**
 * The machine-readable report of a checked network, written to {@code META-INF/strider/<qualified name>.json}.
 * Counts are per image unless the name says otherwise; shapes are {@code [C, H, W]} or {@code [N]} (flat).
 */
public final class JsonReport {
    /** Bumped when a field changes meaning or disappears. */
    public static final int FORMAT_VERSION = 1;

    private JsonReport() {}

    public static String resourcePath(String qualifiedName) {
        return "META-INF/strider/" + qualifiedName + ".json";
    }

    public static String render(CheckedNetwork n, EnginePlan plan) {
        JsonObject root = new JsonObject();
        var d = n.decl();
        root.addProperty("format", FORMAT_VERSION);
        root.addProperty("name", d.simpleName());
        root.addProperty("qualifiedName", d.qualifiedName());
        root.add("input", dims(n.input()));
        root.add("output", dims(n.output()));
        root.addProperty("maxBatch", d.maxBatch());
        root.addProperty("loss", d.loss().name());
        root.addProperty("rounding", d.rounding().name());
        root.addProperty("params", n.params());
        root.addProperty("nonTrainableParams", n.nonTrainableParams());
        root.addProperty("macs", n.macs());
        JsonObject memory = new JsonObject();
        memory.addProperty("activationValuesPerImage", n.activations());
        memory.addProperty("activationBytesPerImage", n.activations() * 4);
        memory.addProperty("activationBytesAtMaxBatch", n.activations() * 4 * d.maxBatch());
        memory.addProperty("weightBytes", (n.params() + n.nonTrainableParams()) * 4);
        memory.addProperty("engineBytes", plan.engineBytes());
        memory.addProperty("inferenceOnly", plan.inferenceOnly());
        memory.addProperty("plannedBytesPerThread", plan.memory().plannedBytes());
        memory.addProperty("unplannedForwardBytes", plan.memory().naiveBytes());
        root.add("memory", memory);
        java.util.Map<String, EnginePlan.Step> steps = new java.util.HashMap<>();
        plan.steps().forEach(s -> steps.put(s.name(), s));
        JsonArray layers = new JsonArray();
        for (CheckedLayer c : n.layers()) {
            JsonObject l = new JsonObject();
            l.addProperty("name", c.name());
            l.addProperty("type", c.layer().type());
            l.addProperty("details", c.layer().describe());
            JsonArray inputs = new JsonArray();
            c.inputs().forEach(inputs::add);
            l.add("inputs", inputs);
            l.add("in", dims(c.in()));
            l.add("out", dims(c.out()));
            l.addProperty("params", c.params());
            l.addProperty("nonTrainableParams", c.nonTrainableParams());
            l.addProperty("macs", c.macs());
            l.add("receptiveField", receptiveField(c.receptiveField()));
            l.addProperty("activations", c.out().size());
            EnginePlan.Step step = steps.get(c.name());
            if (step != null) {
                l.add("op", LayerOps.of(step));
            }
            layers.add(l);
        }
        root.add("layers", layers);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
    }

    private static JsonArray dims(Shape s) {
        JsonArray a = new JsonArray();
        s.dims().forEach(a::add);
        return a;
    }

    private static JsonObject receptiveField(ReceptiveField rf) {
        JsonObject o = new JsonObject();
        JsonArray size = new JsonArray();
        size.add(rf.sizeH());
        size.add(rf.sizeW());
        JsonArray jump = new JsonArray();
        jump.add(rf.jumpH());
        jump.add(rf.jumpW());
        o.add("size", size);
        o.add("jump", jump);
        return o;
    }
}
