package dev.strider.processor.validate;

import dev.strider.dsl.Activation;
import dev.strider.dsl.From;
import dev.strider.dsl.Loss;
import dev.strider.dsl.Rounding;
import dev.strider.processor.diag.LayerFailure;
import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.layer.Layer;
import dev.strider.processor.layer.Layers;
import dev.strider.processor.layer.ShapeContext;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.NetworkDecl;
import dev.strider.processor.model.ReceptiveField;
import dev.strider.processor.model.Shape;
import dev.strider.processor.model.Sizes;
import dev.strider.processor.model.SourceRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a declared network: the network's own values, every layer's values, then shapes layer by layer, then
 * the rules that concern the network as a whole. Reports everything it finds; returns the checked network only
 * when the report has no errors. Needs no compiler: unit tests call it with hand-made declarations.
 */
public final class NetworkChecker {
    static final int MAX_INPUT = 1 << 20;
    static final int MAX_BATCH = 1 << 20;

    private NetworkChecker() {}

    /** The checked network, or {@code null} when {@code report} holds an error. */
    public static CheckedNetwork check(NetworkDecl decl, Report report) {
        Shape input = checkNetworkValues(decl, report);
        List<Layer> layers = new ArrayList<>();
        Set<Layer> invalid = new HashSet<>();
        for (LayerDecl d : decl.layers()) {
            int errorsBefore = report.errorCount();
            try {
                Layer layer = Layers.create(d, report);
                layers.add(layer);
                if (report.errorCount() > errorsBefore) {
                    invalid.add(layer);
                }
            } catch (RuntimeException e) {
                throw new LayerFailure(d.name(), e);
            }
        }
        if (input == null || !decl.complete()) {
            return null; // no input shape (or no valid batch or rounding), or layers missing: shapes would mislead
        }
        List<CheckedLayer> checked = inferShapes(decl, input, layers, invalid, report);
        if (report.hasErrors()) {
            return null; // whole-network rules on a broken network would only add noise
        }
        CheckedNetwork network = new CheckedNetwork(decl, input, checked);
        checkNetworkRules(network, report);
        return report.hasErrors() ? null : network;
    }

    private static Shape checkNetworkValues(NetworkDecl decl, Report report) {
        boolean ok = decl.hasInput();
        if (decl.hasInput()) {
        ok &= positive(report, decl.inputRef(), "@Input", "channels", decl.inputChannels(), MAX_INPUT);
        ok &= positive(report, decl.inputRef(), "@Input", "height", decl.inputHeight(), MAX_INPUT);
        ok &= positive(report, decl.inputRef(), "@Input", "width", decl.inputWidth(), MAX_INPUT);
        }
        // an invalid maxBatch or network rounding would drive the shape checks with a stand-in: skip them instead
        ok &= positive(report, decl.networkRef(), "@Network", "maxBatch", decl.maxBatch(), MAX_BATCH);
        if (decl.expectParams() < 0 && decl.expectParams() != dev.strider.dsl.Network.UNCHECKED) {
            report.add(Message.INVALID_VALUE, decl.networkRef(), "expectParams", "@Network:",
                    "expectParams must be a parameter count (at least 0), or Network.UNCHECKED to skip the check, but it is " + decl.expectParams());
        }
        if (decl.rounding() == Rounding.INHERIT) {
            report.add(Message.INVALID_VALUE, decl.networkRef(), "rounding", "@Network:",
                    "rounding = INHERIT means \"as the network says\" and is only meaningful on a layer; the network needs STRICT, FLOOR or CEIL");
            ok = false;
        }
        if (decl.layers().isEmpty() && decl.complete()) {
            report.add(Message.NO_LAYERS, decl.networkRef(), null, decl.simpleName());
        }
        return ok ? Shape.chw(decl.inputChannels(), decl.inputHeight(), decl.inputWidth()) : null;
    }

    private static boolean positive(Report report, SourceRef ref, String annotation, String attribute, long value, long max) {
        if (value < 1 || value > max) {
            report.add(Message.INVALID_VALUE, ref, attribute, annotation + ":",
                    String.format(Locale.ROOT, "%s must be between 1 and %,d, but it is %d", attribute, max, value));
            return false;
        }
        return true;
    }

    /** What a layer (or the input) produced: its shape, receptive field and the path of shapes that led to it. */
    private record Produced(Shape shape, ReceptiveField field, List<String> path) {}

    /**
     * Infers shapes layer by layer, in declaration order (every layer takes the input or earlier layers, so this is a
     * topological order), reporting every shape error it can: it goes on past a fractional size (with the
     * rounded-down size) and stops at a layer with invalid values, unresolvable inputs, or no possible output (the
     * shapes after it are unknown).
     */
    private static List<CheckedLayer> inferShapes(NetworkDecl decl, Shape input, List<Layer> layers, Set<Layer> invalid, Report report) {
        ShapeContext ctx = new ShapeContext(report, decl.rounding(), input);
        List<CheckedLayer> checked = new ArrayList<>();
        if (overflow(report, decl.inputRef(), "@Input", input.size(), decl.maxBatch())) {
            return checked;
        }
        Map<String, Produced> produced = new HashMap<>();
        produced.put(From.INPUT, new Produced(input, ReceptiveField.INPUT, List.of("input " + input)));
        List<String> names = layers.stream().map(Layer::name).toList();
        String previous = From.INPUT;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            if (layer.name().equals(From.INPUT)) {
                report.add(Message.INVALID_VALUE, layer.ref(), null, layer.label() + ":",
                        "the name \"input\" is the network's input (@From(\"input\")), so no layer may have it; rename the field");
                break;
            }
            if (invalid.contains(layer)) {
                break;
            }
            List<String> from = layer.decl().wired() ? layer.decl().from() : List.of(previous);
            if (!wiring(layer, from, produced, names, i, report)) {
                break;
            }
            try {
                Produced out = inferOne(layer, from, produced, ctx, decl, report, checked);
                if (out == null) {
                    break;
                }
                produced.put(layer.name(), out);
            } catch (RuntimeException e) {
                throw new LayerFailure(layer.name(), e);
            }
            previous = layer.name();
        }
        return checked;
    }

    /** Whether {@code layer}'s inputs {@code from} exist (the input or earlier layers) and are as many as it takes; reports what is wrong. */
    private static boolean wiring(Layer layer, List<String> from, Map<String, Produced> produced, List<String> names, int index, Report report) {
        boolean ok = true;
        for (String f : from) {
            if (!produced.containsKey(f)) {
                int at = names.indexOf(f);
                String why = f.equals(layer.name()) ? "that is the layer itself"
                        : at > index ? "\"" + f + "\" is declared after it" : "no layer has that name";
                String earlier = String.join(", ", names.subList(0, index));
                report.add(Message.UNKNOWN_INPUT, layer.decl().fromRef(), "value", layer.label(), f, why,
                        earlier.isEmpty() ? "none" : earlier);
                ok = false;
            }
        }
        if (!ok) {
            return false;
        }
        if (layer.merge() && from.size() < 2) {
            report.add(Message.INPUT_COUNT, layer.decl().wired() ? layer.decl().fromRef() : layer.ref(), layer.decl().wired() ? "value" : null,
                    layer.label(), "merges two or more inputs, but " + (layer.decl().wired() ? "@From names only " + from.get(0) : "it has no @From"),
                    "Name the layers to merge with @From({\"a\", \"b\"}).");
            return false;
        }
        if (!layer.merge() && from.size() != 1) {
            report.add(Message.INPUT_COUNT, layer.decl().fromRef(), "value", layer.label(),
                    "takes one input, but @From names " + from.size() + ": " + String.join(", ", from),
                    "Merge them first with an @Add or @Concat layer, and take that.");
            return false;
        }
        return true;
    }

    /** Infers one layer's output and records it; {@code null} when there is no shape to go on with. */
    private static Produced inferOne(Layer layer, List<String> from, Map<String, Produced> produced, ShapeContext ctx, NetworkDecl decl,
            Report report, List<CheckedLayer> checked) {
        List<Shape> ins = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (String f : from) {
            ins.add(produced.get(f).shape());
            paths.add(ShapeContext.join(produced.get(f).path()));
        }
        Produced first = produced.get(from.get(0));
        ctx.path(first.path());
        Shape in = ins.get(0);
        Shape out = layer.merge() ? layer.outputShape(ins, paths, ctx) : layer.outputShape(in, ctx);
        if (out == null || overflow(report, layer.ref(), layer.label() + " output " + out, out.size(), decl.maxBatch())) {
            return null;
        }
        long params = layer.params(in);
        if (params > Integer.MAX_VALUE) {
            report.add(Message.SIZE_OVERFLOW, layer.ref(), null, layer.label(), "its weights are", params,
                    "Use fewer units or filters, or downsample before this layer.");
            return null;
        }
        ReceptiveField field;
        if (layer.merge()) {
            // the largest over the merged paths (by area, then by height)
            field = first.field();
            for (String f : from) {
                ReceptiveField r = produced.get(f).field();
                if (Sizes.mul(r.sizeH(), r.sizeW()) > Sizes.mul(field.sizeH(), field.sizeW())) {
                    field = r;
                }
            }
        } else {
            field = layer.receptiveField(first.field(), in, out);
        }
        checked.add(new CheckedLayer(layer, from, ins, out, params, layer.nonTrainableParams(in), layer.macs(in, out), field));
        List<String> path = new ArrayList<>(first.path());
        path.add(layer.name() + " " + out);
        return new Produced(out, field, path);
    }

    /** Reports (and returns true) when {@code values * batch} does not fit a Java array. */
    private static boolean overflow(Report report, SourceRef ref, String what, long values, int batch) {
        long limit = Integer.MAX_VALUE;
        String fix = "Reduce the input size, the channels or maxBatch.";
        if (values > limit) {
            report.add(Message.SIZE_OVERFLOW, ref, null, what, "one image is", values, fix);
            return true;
        }
        if (batch > 1 && values > limit / batch) {
            report.add(Message.SIZE_OVERFLOW, ref, null, what,
                    String.format(Locale.ROOT, "maxBatch = %d images of %,d values are", batch, values), Sizes.mul(values, batch), fix);
            return true;
        }
        return false;
    }

    private static void checkNetworkRules(CheckedNetwork network, Report report) {
        List<CheckedLayer> layers = network.layers();
        NetworkDecl decl = network.decl();
        if (decl.loss() == Loss.SOFTMAX_CROSS_ENTROPY) {
            for (int i = 0; i < layers.size() - 1; i++) {
                Layer l = layers.get(i).layer();
                if (l.activation() == Activation.SOFTMAX) {
                    report.add(Message.SOFTMAX_NOT_LAST, l.ref(), l.type().equals("Softmax") ? null : "activation",
                            l.label(), i + 1, layers.size());
                }
            }
        }
        // two linear layers in a row along a path (a merge ends the search: its branches differ)
        Map<String, Layer> pending = new HashMap<>();
        for (CheckedLayer c : layers) {
            Layer l = c.layer();
            Layer before = l.merge() ? null : pending.get(c.inputs().get(0));
            if (l.startsLinear() && before != null) {
                report.add(Message.NO_NONLINEARITY, l.ref(), null, l.label(), before.label(), before.name());
            }
            pending.put(l.name(), l.endsNonlinear() || l.merge() ? null : l.startsLinear() ? l : before);
        }
        Set<String> taken = new HashSet<>();
        for (CheckedLayer c : layers) {
            taken.addAll(c.inputs());
        }
        for (int i = 0; i < layers.size() - 1; i++) {
            if (!taken.contains(layers.get(i).name())) {
                Layer l = layers.get(i).layer();
                report.add(Message.UNUSED_OUTPUT, l.ref(), null, l.label());
            }
        }
        long params = network.params();
        if (decl.expectParams() != dev.strider.dsl.Network.UNCHECKED && decl.expectParams() != params) {
            long diff = params - decl.expectParams();
            String perLayer = layers.stream().filter(c -> c.params() > 0)
                    .map(c -> String.format(Locale.ROOT, "%s %,d", c.name(), c.params()))
                    .collect(Collectors.joining(", "));
            report.add(Message.EXPECT_PARAMS, decl.networkRef(), "expectParams", decl.simpleName(), params, decl.expectParams(),
                    String.format(Locale.ROOT, "%,d %s", Math.abs(diff), diff > 0 ? "more" : "fewer"), perLayer);
        }
    }
}
