package dev.strider.tests.fuzz;

import dev.strider.dsl.Activation;
import dev.strider.dsl.Padding;
import dev.strider.dsl.Rounding;
import dev.strider.tests.fuzz.JavaSource.Annotation;
import dev.strider.tests.fuzz.JavaSource.Field;
import dev.strider.tests.fuzz.ShapeRules.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * Builds a sequence of layer fields that is valid by construction, tracking what the processor will infer: the
 * activation shape (with {@link ShapeRules}), the parameter and MAC counts (as the README defines them: trainable
 * parameters apart from batch-norm running statistics, MACs of conv and dense layers only), and whether a linear layer
 * (conv, dense) without activation is still waiting for a nonlinearity.
 *
 * <p>Valid here means: no error and no warning. So pooling windows are at most 3 with a stride at most the window and
 * padding at most half the window; a conv or dense layer never follows another one without a nonlinearity in
 * between (a ReLU-family, sigmoid, tanh or softmax activation, or max pooling); a softmax (layer or fused) is only the
 * network's last layer under softmax cross-entropy; sizes stay small so that every engine runs in microseconds.
 * A <em>smooth</em> chain also leaves out everything with a kink (ReLU, leaky ReLU, max pooling), so that finite
 * differences of its loss are accurate.
 */
final class LayerChain {
    /** Activation maps are kept at most this high and wide, so that engines stay tiny. */
    private static final int MAX_SIDE = 12;

    private final SplittableRandom r;
    private final Literals literals;
    private final LayerNames names;
    final Rounding networkRounding;
    final boolean meanSquaredError;
    final boolean smooth;
    final List<Field> fields = new ArrayList<>();
    Shape shape;
    long params;
    /** Batch-norm running statistics (2 per channel), counted apart from the trainable parameters as PyTorch does. */
    long nonTrainableParams;
    /** Multiply-accumulates per image: conv output values times weights per filter, dense inputs times units. */
    long macs;
    /** A conv or dense layer without activation since the last nonlinearity: another one now would warn. */
    boolean pendingLinear;

    LayerChain(SplittableRandom r, Literals literals, LayerNames names, Shape input, Rounding networkRounding,
            boolean meanSquaredError, boolean smooth) {
        this.r = r;
        this.literals = literals;
        this.names = names;
        this.shape = input;
        this.networkRounding = networkRounding;
        this.meanSquaredError = meanSquaredError;
        this.smooth = smooth;
    }

    /** A spatial layer's geometry. {@code padH == Padding.SAME} for SAME padding; {@code rounding} is the layer's own. */
    record Window(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW,
            Rounding rounding) {
        boolean same() {
            return padH == Padding.SAME;
        }
    }

    /** A window and the output sizes it gives at some input: valid, {@link ShapeRules#FRACTIONAL} or {@link ShapeRules#TOO_LARGE}. */
    record Sized(Window window, long outH, long outW) {
        boolean valid() {
            return outH >= 1 && outW >= 1;
        }
    }

    // ------------------------------------------------------------------------------------------------ random chains

    /** Appends {@code count} random valid layers; {@code endsNetwork}: the last of them is the network's last layer. */
    void addRandomLayers(int count, boolean endsNetwork) {
        for (int i = 0; i < count; i++) {
            addRandomLayer(endsNetwork && i == count - 1);
        }
    }

    /** Appends one random valid layer (after a nonlinearity first, if the layer is linear and one is needed). */
    void addRandomLayer(boolean last) {
        while (true) {
            int pick = r.nextInt(20);
            if (pick < 5 && !shape.flat() && addConv(last)) {
                return;
            } else if (pick < 8 && !shape.flat() && addPool(pick % 2 == 0 && !smooth)) {
                return;
            } else if (pick < 11) {
                addDense(last);
                return;
            } else if (pick < 13) {
                addActivation(last);
                return;
            } else if (pick == 13 && !shape.flat()) {
                add(kind("GlobalAvgPool"), Shape.spatial(shape.c(), 1, 1));
                return;
            } else if (pick == 14) {
                add(kind("Flatten"), Shape.vector(shape.size()));
                return;
            } else if (pick == 15 || pick == 16) {
                addDropout();
                return;
            } else if (pick >= 17) {
                addBatchNorm();
                return;
            }
        }
    }

    /** A conv layer with a random valid geometry; {@code false} when none fits the current map. */
    boolean addConv(boolean last) {
        Sized s = r.nextInt(15) == 0 ? extremeWindow() : searchWindow(false, null, Sized::valid);
        if (s == null) {
            return false;
        }
        int groups = 1;
        if (r.nextInt(4) == 0) {
            List<Integer> divisors = divisors(shape.c());
            groups = divisors.get(r.nextInt(divisors.size()));
        }
        int filters = groups * (1 + r.nextInt(Math.max(1, 4 / groups)));
        boolean bias = r.nextInt(4) != 0;
        Annotation a = kind("Conv").with("filters", literals.integer(filters));
        windowAttributes(a, s.window(), "kernel", false);
        if (groups != 1 || r.nextInt(10) == 0) {
            attribute(a, "groups", literals.integer(groups));
        }
        if (!bias || r.nextInt(10) == 0) {
            attribute(a, "bias", bias);
        }
        beforeLinear();
        long weightsPerFilter = shape.c() / groups * s.window().kernelH() * s.window().kernelW();
        params += filters * weightsPerFilter + (bias ? filters : 0);
        macs += filters * s.outH() * s.outW() * weightsPerFilter;
        fusedActivation(a, last);
        add(a, Shape.spatial(filters, s.outH(), s.outW()));
        return true;
    }

    /** A max or average pooling layer with a random valid geometry; {@code false} when none fits. */
    boolean addPool(boolean max) {
        Sized s = searchWindow(true, null, Sized::valid);
        if (s == null) {
            return false;
        }
        addPool(max, s);
        return true;
    }

    /** Appends a pooling layer of geometry {@code s} (already checked) and returns its annotation. */
    Annotation addPool(boolean max, Sized s) {
        Annotation a = kind(max ? "MaxPool" : "AvgPool");
        windowAttributes(a, s.window(), "window", true);
        if (!max && r.nextInt(3) == 0) {
            attribute(a, "countPadding", r.nextBoolean());
        }
        if (max) {
            pendingLinear = false;
        }
        add(a, Shape.spatial(shape.c(), s.outH(), s.outW()));
        return a;
    }

    void addDense(boolean last) {
        int units = 1 + r.nextInt(6);
        boolean bias = r.nextInt(4) != 0;
        Annotation a = kind("Dense").with("units", literals.integer(units));
        if (!bias || r.nextInt(10) == 0) {
            attribute(a, "bias", bias);
        }
        beforeLinear();
        params += shape.size() * units + (bias ? units : 0);
        macs += shape.size() * units;
        fusedActivation(a, last);
        add(a, Shape.vector(units));
    }

    /** A standalone activation layer (a softmax only where one is allowed). */
    void addActivation(boolean last) {
        List<String> kinds = new ArrayList<>(smooth ? List.of("Sigmoid", "Tanh") : List.of("ReLU", "LeakyReLU", "Sigmoid", "Tanh"));
        if (last || meanSquaredError) {
            kinds.add("Softmax");
        }
        String k = kinds.get(r.nextInt(kinds.size()));
        Annotation a = kind(k);
        if (k.equals("LeakyReLU") && r.nextBoolean()) {
            attribute(a, "slope", literals.real(r.nextInt(100) / 100.0));
        }
        pendingLinear = false;
        add(a, shape);
    }

    void addDropout() {
        double[] rates = {0, 0.1, 0.25, 0.5, 0.9};
        add(kind("Dropout").with("rate", literals.real(rates[r.nextInt(rates.length)])), shape);
    }

    void addBatchNorm() {
        Annotation a = kind("BatchNorm");
        if (r.nextInt(3) == 0) {
            double[] epsilons = {1e-5, 1e-3, 0.1};
            attribute(a, "epsilon", literals.real(epsilons[r.nextInt(epsilons.length)]));
        }
        if (r.nextInt(3) == 0) {
            double[] momenta = {0, 0.1, 0.5, 1};
            attribute(a, "momentum", literals.real(momenta[r.nextInt(momenta.length)]));
        }
        params += 2 * shape.c();
        nonTrainableParams += 2 * shape.c();
        add(a, shape);
    }

    // ------------------------------------------------------------------------------------------------ building blocks

    /**
     * A random window for the current (spatial) shape that {@code accept} takes, or {@code null} after 200 tries.
     * {@code rounding}: the layer's rounding, or {@code null} for a random one.
     */
    Sized searchWindow(boolean pool, Rounding rounding, Predicate<Sized> accept) {
        for (int attempt = 0; attempt < 200; attempt++) {
            Sized s = size(randomWindow(pool, rounding));
            boolean small = s.outH() <= Math.max(MAX_SIDE, shape.h()) && s.outW() <= Math.max(MAX_SIDE, shape.w());
            if (accept.test(s) && small) {
                return s;
            }
        }
        return null;
    }

    /**
     * A valid conv geometry with values near the limits (dilation, stride and padding in the thousands, up to 65,536)
     * that still gives a small output, or null: the generated index arithmetic must not overflow.
     */
    private Sized extremeWindow() {
        int[] large = {1000, 4096, 65_536};
        int kernel = 1 + r.nextInt(3);
        int dilation = kernel == 1 ? 1 : large[r.nextInt(large.length)];
        long effective = (long) dilation * (kernel - 1) + 1;
        int padding = (int) Math.min(65_536, effective / 2 + r.nextInt(1000));
        int stride = large[r.nextInt(large.length)];
        Sized s = size(new Window(kernel, kernel, stride, stride, padding, padding, dilation, dilation, Rounding.FLOOR));
        return s.valid() && s.outH() <= 4 && s.outW() <= 4 ? s : null;
    }

    /** The output sizes of {@code w} at the current shape. */
    Sized size(Window w) {
        Rounding mode = ShapeRules.effective(w.rounding(), networkRounding);
        return new Sized(w,
                ShapeRules.outputSize(shape.h(), w.kernelH(), w.strideH(), w.padH(), w.dilationH(), mode),
                ShapeRules.outputSize(shape.w(), w.kernelW(), w.strideW(), w.padW(), w.dilationW(), mode));
    }

    private Window randomWindow(boolean pool, Rounding rounding) {
        boolean square = r.nextInt(3) != 0;
        int kh = 1 + r.nextInt(3);
        int kw = square ? kh : 1 + r.nextInt(3);
        int sh;
        int sw;
        int ph;
        int pw;
        if (pool) {
            sh = 1 + r.nextInt(kh);
            sw = square ? sh : 1 + r.nextInt(kw);
            ph = r.nextInt(kh / 2 + 1);
            pw = square ? ph : r.nextInt(kw / 2 + 1);
        } else {
            sh = r.nextInt(3) == 0 ? 1 + r.nextInt(3) : 1;
            sw = square ? sh : 1 + r.nextInt(3);
            ph = r.nextInt(3);
            pw = square ? ph : r.nextInt(3);
        }
        if (r.nextInt(6) == 0) {
            ph = Padding.SAME;
            pw = Padding.SAME;
        }
        int dh = !pool && r.nextInt(5) == 0 ? 2 : 1;
        int dw = square ? dh : !pool && r.nextInt(5) == 0 ? 2 : 1;
        Rounding[] roundings = Rounding.values();
        Rounding layerRounding = rounding != null ? rounding
                : r.nextInt(3) == 0 ? roundings[r.nextInt(roundings.length)] : Rounding.INHERIT;
        return new Window(kh, kw, sh, sw, ph, pw, dh, dw, layerRounding);
    }

    /** The window, stride, padding, dilation and rounding values of {@code w}, leaving out defaults at random. */
    void windowAttributes(Annotation a, Window w, String windowName, boolean pool) {
        a.with(windowName, literals.pair(w.kernelH(), w.kernelW()));
        boolean defaultStride = pool ? w.strideH() == w.kernelH() && w.strideW() == w.kernelW()
                : w.strideH() == 1 && w.strideW() == 1;
        if (!defaultStride || r.nextInt(4) == 0) {
            attribute(a, "stride", literals.pair(w.strideH(), w.strideW()));
        }
        if (w.same()) {
            attribute(a, "padding", r.nextInt(4) == 0 ? "{Padding.SAME}" : "Padding.SAME");
        } else if (w.padH() != 0 || w.padW() != 0 || r.nextInt(4) == 0) {
            attribute(a, "padding", literals.pair(w.padH(), w.padW()));
        }
        if (!pool && (w.dilationH() != 1 || w.dilationW() != 1 || r.nextInt(8) == 0)) {
            attribute(a, "dilation", literals.pair(w.dilationH(), w.dilationW()));
        }
        if (w.rounding() != Rounding.INHERIT || r.nextInt(8) == 0) {
            attribute(a, "rounding", "Rounding." + w.rounding());
        }
    }

    /** Adds {@code activation} (and maybe {@code slope}) to a conv or dense annotation and updates the linearity state. */
    private void fusedActivation(Annotation a, boolean last) {
        List<Activation> choices = new ArrayList<>(smooth
                ? List.of(Activation.NONE, Activation.SIGMOID, Activation.TANH)
                : List.of(Activation.NONE, Activation.NONE, Activation.RELU, Activation.RELU, Activation.LEAKY_RELU,
                        Activation.SIGMOID, Activation.TANH));
        if (last || meanSquaredError) {
            choices.add(Activation.SOFTMAX);
        }
        Activation act = choices.get(r.nextInt(choices.size()));
        if (act != Activation.NONE || r.nextInt(8) == 0) {
            attribute(a, "activation", "Activation." + act);
        }
        if (act == Activation.LEAKY_RELU) {
            attribute(a, "slope", literals.real(r.nextInt(100) / 100.0));
        } else if (r.nextInt(12) == 0) {
            // documented as ignored unless the activation is LEAKY_RELU: out of range here is still valid
            attribute(a, "slope", r.nextBoolean() ? "Double.NaN" : literals.real(-2.5));
        }
        pendingLinear = act == Activation.NONE;
    }

    /** Before a linear layer: if one is pending, a nonlinearity first, so that no warning is due. */
    private void beforeLinear() {
        if (pendingLinear) {
            Annotation a = kind(smooth ? (r.nextBoolean() ? "Tanh" : "Sigmoid") : r.nextBoolean() ? "ReLU" : "Tanh");
            fields.add(new Field(names.next(), a));
            pendingLinear = false;
        }
    }

    /** Appends a layer field for {@code a} and moves on to shape {@code out}. */
    Field add(Annotation a, Shape out) {
        Field f = new Field(names.next(), a);
        fields.add(f);
        shape = out;
        return f;
    }

    /** A layer annotation of {@code kind}, now and then written fully qualified. */
    Annotation kind(String kind) {
        return new Annotation(r.nextInt(20) == 0 ? "dev.strider.dsl." + kind : kind);
    }

    /** An optional value, now and then on a line of its own. */
    void attribute(Annotation a, String name, Object value) {
        if (r.nextInt(5) == 0) {
            a.withOwnLine(name, value);
        } else {
            a.with(name, value);
        }
    }

    static List<Integer> divisors(long n) {
        List<Integer> out = new ArrayList<>();
        for (int d = 1; d <= n; d++) {
            if (n % d == 0) {
                out.add(d);
            }
        }
        return out;
    }
}
