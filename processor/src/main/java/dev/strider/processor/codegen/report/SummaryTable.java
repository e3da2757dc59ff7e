package dev.strider.processor.codegen.report;

import dev.strider.processor.layer.Dense;
import dev.strider.processor.lower.EngineArray;
import dev.strider.processor.lower.EnginePlan;
import dev.strider.processor.validate.CheckedLayer;
import dev.strider.processor.validate.CheckedNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The human-readable summary of a checked network, like Keras' {@code model.summary()}: one row per layer with
 * output shape, parameters, MACs and receptive field, then totals and memory. Plain ASCII, deterministic.
 */
public final class SummaryTable {
    private static final String[] HEADER = {"Layer", "Type", "Details", "Output", "Params", "MACs", "RF/jump"};
    private static final boolean[] RIGHT = {false, false, false, false, true, true, true};

    private SummaryTable() {}

    public static String render(CheckedNetwork n, EnginePlan plan) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"input", "Input", "", n.input().toString(), "", "", "1/1"});
        for (CheckedLayer c : n.layers()) {
            String details = c.layer().describe();
            if (c.layer() instanceof Dense && Dense.flattens(c.in())) {
                details += (details.isEmpty() ? "" : "; ") + "flattens " + c.in() + " -> " + c.in().size();
            }
            String params = num(c.params()) + (c.nonTrainableParams() > 0 ? " (+" + num(c.nonTrainableParams()) + ")" : "");
            rows.add(new String[] {c.name(), c.layer().type(), details, c.out().toString(), params, num(c.macs()),
                    c.receptiveField().toString()});
        }
        int[] width = new int[HEADER.length];
        for (int i = 0; i < HEADER.length; i++) {
            width[i] = HEADER[i].length();
            for (String[] r : rows) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder s = new StringBuilder();
        var d = n.decl();
        s.append(d.simpleName()).append(" (").append(d.qualifiedName()).append("): input ").append(n.input())
                .append(", max batch ").append(d.maxBatch()).append(", loss ").append(d.loss()).append('\n');
        int total = line(s, HEADER, width);
        s.append("-".repeat(total)).append('\n');
        for (String[] r : rows) {
            line(s, r, width);
        }
        s.append("=".repeat(total)).append('\n');
        long params = n.params();
        long state = n.nonTrainableParams();
        s.append("Params: ").append(num(params)).append(" trainable, ").append(num(state))
                .append(" non-trainable (batch-norm running statistics; shown as (+n) above)\n");
        s.append("MACs: ").append(num(n.macs())).append(" per image, ").append(num(dev.strider.processor.model.Sizes.mul(n.macs(), d.maxBatch())))
                .append(" at max batch ").append(d.maxBatch()).append('\n');
        long acts = n.activations();
        s.append("Activations: ").append(num(acts)).append(" values per image (").append(bytes(acts * 4)).append("), ")
                .append(bytes(acts * 4 * d.maxBatch())).append(" at max batch ").append(d.maxBatch()).append('\n');
        s.append("Weights: ").append(bytes((params + state) * 4)).append(" (float32)\n");
        var memory = plan.memory();
        if (plan.inferenceOnly()) {
            s.append("Engine: ").append(bytes(plan.engineBytes())).append(" allocated at max batch ").append(d.maxBatch())
                    .append(", inference-only (weights ").append(bytes(plan.weightBytes()))
                    .append(", batch output ").append(bytes(4L * d.maxBatch() * plan.outputSize()))
                    .append(", planned arrays ").append(bytes(memory.plannedBytes())).append(" per thread)\n");
        } else {
            s.append("Engine: ").append(bytes(plan.engineBytes())).append(" allocated at max batch ").append(d.maxBatch())
                    .append(" (weights and gradients ").append(bytes(plan.engineBytes(EngineArray.Role.WEIGHTS)))
                    .append(", activations and gradients ").append(bytes(plan.engineBytes(EngineArray.Role.ACTIVATIONS)))
                    .append(", backward state and scratch ").append(bytes(plan.engineBytes(EngineArray.Role.SCRATCH))).append(")\n");
        }
        s.append("Memory plan").append(plan.inferenceOnly() ? "" : " (of an inference-only engine, @Network(inferenceOnly = true))")
                .append(": ").append(bytes(memory.plannedBytes())).append(" per thread, the forward pass's ").append(memory.buffers().size())
                .append(" buffers in ").append(memory.arrays().size()).append(memory.arrays().size() == 1 ? " array" : " arrays")
                .append(", against ").append(bytes(memory.naiveBytes())).append(" unplanned (each layer output its own array at max batch ")
                .append(d.maxBatch()).append(", each convolution's padded input its own)\n");
        if (!plan.inferenceOnly()) {
            s.append("Optimizer state (allocated by the first training step): ").append(bytes(params * 4)).append(" for SGD with momentum, ")
                    .append(bytes(params * 8)).append(" for Adam\n");
        }
        var rf = n.layers().get(n.layers().size() - 1).receptiveField();
        s.append("Receptive field of one output: ").append(rf.sizeH()).append('x').append(rf.sizeW())
                .append(" input pixels (input is ").append(n.input().height()).append('x').append(n.input().width())
                .append(n.layers().stream().anyMatch(c -> c.layer().merge()) ? "; the largest over the merged branches" : "").append(")\n");
        return s.toString();
    }

    private static int line(StringBuilder s, String[] cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                l.append("  ");
            }
            String pad = " ".repeat(width[i] - cells[i].length());
            l.append(RIGHT[i] ? pad + cells[i] : cells[i] + pad);
        }
        String text = l.toString().stripTrailing();
        s.append(text).append('\n');
        int total = 0;
        for (int w : width) {
            total += w;
        }
        return total + 2 * (width.length - 1);
    }

    static String num(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    /** {@code b} bytes in B, KiB, MiB, GiB or TiB with one decimal. */
    public static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
