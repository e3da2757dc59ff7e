package dev.strider.processor.lower;

import dev.strider.dsl.Activation;
import dev.strider.dsl.From;
import dev.strider.dsl.Loss;
import dev.strider.dsl.Rounding;
import dev.strider.processor.diag.Report;
import dev.strider.processor.layer.ActivationLayer;
import dev.strider.processor.layer.BatchNorm;
import dev.strider.processor.layer.Conv;
import dev.strider.processor.layer.ConvTranspose;
import dev.strider.processor.layer.Dense;
import dev.strider.processor.layer.Dropout;
import dev.strider.processor.layer.Flatten;
import dev.strider.processor.layer.GlobalAvgPool;
import dev.strider.processor.layer.Identity;
import dev.strider.processor.layer.Lrn;
import dev.strider.processor.layer.Layer;
import dev.strider.processor.layer.Merge;
import dev.strider.processor.layer.Pool;
import dev.strider.processor.layer.Resample;
import dev.strider.processor.layer.ShapeContext;
import dev.strider.processor.layer.SpatialFilter;
import dev.strider.processor.model.Geometry;
import dev.strider.processor.model.Shape;
import dev.strider.processor.validate.CheckedLayer;
import dev.strider.processor.validate.CheckedNetwork;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lowers a checked network to an {@link EnginePlan}: resolves each layer's geometry to constants, names its
 * buffers and tensors, picks initialisers, and fuses a trailing softmax into the softmax cross-entropy loss.
 */
public final class Lowering {
    private Lowering() {}

    public static EnginePlan lower(CheckedNetwork network) {
        List<CheckedLayer> layers = network.layers();
        Loss loss = network.decl().loss();
        // A trailing softmax is fused into the loss only where the loss and the softmax agree on what the classes are:
        // one vector per image. On a spatial output the softmax runs per position and stays a layer of its own.
        Shape output = network.output();
        boolean classVector = output.flat() || (output.height() == 1 && output.width() == 1);
        boolean softmaxOutput = loss == Loss.SOFTMAX_CROSS_ENTROPY && classVector
                && layers.get(layers.size() - 1).layer().activation() == Activation.SOFTMAX;
        List<EnginePlan.Step> steps = new ArrayList<>();
        List<Tensor> parameters = new ArrayList<>();
        List<Tensor> buffers = new ArrayList<>();
        Map<String, String> outputOf = new HashMap<>();
        Map<String, String> gradOf = new HashMap<>();
        outputOf.put(From.INPUT, EnginePlan.INPUT);
        gradOf.put(From.INPUT, EnginePlan.INPUT_GRAD);
        for (int i = 0; i < layers.size(); i++) {
            CheckedLayer c = layers.get(i);
            boolean last = i == layers.size() - 1;
            List<String> ins = c.inputs().stream().map(outputOf::get).toList();
            List<String> inGrads = c.inputs().stream().map(gradOf::get).toList();
            Kernel kernel = kernel(c, last && softmaxOutput, network.decl().rounding());
            if (last && kernel instanceof Kernel.Alias a && ins.get(0).equals(EnginePlan.INPUT)) {
                kernel = new Kernel.Copy(a.size(), a.why() + "; copied, since no earlier layer owns a buffer");
            }
            List<Tensor> tensors = tensors(c, kernel, init(layers, i));
            String out = kernel instanceof Kernel.Alias ? ins.get(0) : c.name() + "Out";
            String outGrad = kernel instanceof Kernel.Alias ? inGrads.get(0) : c.name() + "Grad";
            steps.add(new EnginePlan.Step(c, kernel, ins, out, inGrads, outGrad, tensors, List.of()));
            for (Tensor t : tensors) {
                (t.trainable() ? parameters : buffers).add(t);
            }
            outputOf.put(c.name(), out);
            gradOf.put(c.name(), outGrad);
        }
        return new EnginePlan(network, accumulateGradients(steps), parameters, buffers, softmaxOutput, loss);
    }

    /**
     * Where several layers take one buffer, their gradients must be summed: going backward, the first layer to write a
     * gradient buffer writes it; every later one writes a scratch buffer of its own, added to the gradient buffer
     * right after its backward pass (see {@link EnginePlan.GradAdd}). Aliases write nothing: the layers after them
     * write their buffers.
     */
    private static List<EnginePlan.Step> accumulateGradients(List<EnginePlan.Step> steps) {
        Set<String> written = new HashSet<>();
        // the loss writes d loss / d output first: a layer that also takes the output's buffer (the last layer being an
        // alias of it) adds to it
        written.add(steps.get(steps.size() - 1).outGrad());
        List<EnginePlan.Step> out = new ArrayList<>(steps);
        for (int i = steps.size() - 1; i >= 0; i--) {
            EnginePlan.Step s = steps.get(i);
            if (s.kernel() instanceof Kernel.Alias) {
                continue;
            }
            List<String> inGrads = new ArrayList<>(s.inGrads());
            List<EnginePlan.GradAdd> adds = new ArrayList<>();
            for (int k = 0; k < inGrads.size(); k++) {
                String target = inGrads.get(k);
                if (!written.add(target)) {
                    String scratch = s.name() + "GradTo" + (inGrads.size() > 1 ? "Input" + k : "Input");
                    adds.add(new EnginePlan.GradAdd(scratch, target, (int) s.layer().ins().get(k).size()));
                    inGrads.set(k, scratch);
                }
            }
            if (!adds.isEmpty()) {
                out.set(i, new EnginePlan.Step(s.layer(), s.kernel(), s.ins(), s.out(), inGrads, s.outGrad(), s.tensors(), adds));
            }
        }
        return out;
    }

    private static Kernel kernel(CheckedLayer c, boolean fuseSoftmax, Rounding rounding) {
        Layer l = c.layer();
        Shape in = c.in();
        Shape out = c.out();
        if (l instanceof Conv conv) {
            return new Kernel.Conv(window(conv, in, out, rounding), conv.filters(), conv.groups(), conv.bias(),
                    fuseSoftmax ? Activation.NONE : conv.activation(), (float) conv.slope());
        }
        if (l instanceof Pool pool && pool.isL2()) {
            return new Kernel.L2Pool(window(pool, in, out, rounding));
        }
        if (l instanceof Pool pool) {
            return new Kernel.Pool(window(pool, in, out, rounding), pool.isMax(), pool.countPadding());
        }
        if (l instanceof GlobalAvgPool) {
            return new Kernel.GlobalAvgPool((int) in.channels(), (int) (in.height() * in.width()));
        }
        if (l instanceof Dense dense) {
            return new Kernel.Dense((int) in.size(), dense.units(), dense.bias(),
                    fuseSoftmax ? Activation.NONE : dense.activation(), (float) dense.slope());
        }
        if (l instanceof BatchNorm bn) {
            int channels = (int) BatchNorm.channels(in);
            return new Kernel.BatchNorm(channels, (int) (in.size() / channels), (float) bn.epsilon(), (float) bn.momentum());
        }
        if (l instanceof Dropout d) {
            return new Kernel.Dropout((int) in.size(), (float) d.rate());
        }
        if (l instanceof ConvTranspose t) {
            return new Kernel.ConvTranspose((int) in.channels(), (int) in.height(), (int) in.width(), t.filters(), (int) out.height(),
                    (int) out.width(), t.kernel().h(), t.kernel().w(), t.stride().h(), t.stride().w(), t.dilation().h(), t.dilation().w(),
                    t.padding().h(), t.padding().w(), t.groups(), t.bias(), fuseSoftmax ? Activation.NONE : t.activation(), (float) t.slope());
        }
        if (l instanceof Resample r) {
            return switch (r.kind()) {
                case UPSAMPLE -> new Kernel.Upsample((int) in.channels(), (int) in.height(), (int) in.width(), r.size().h(), r.size().w(), r.bilinear());
                case ADAPTIVE_AVG_POOL -> new Kernel.AdaptivePool((int) in.channels(), (int) in.height(), (int) in.width(), r.size().h(), r.size().w());
                case CHANNEL_SHUFFLE -> new Kernel.Shuffle((int) in.channels(), (int) (in.height() * in.width()), r.groups());
            };
        }
        if (l instanceof Lrn lrn) {
            boolean flat = in.flat();
            return new Kernel.Lrn((int) (flat ? in.size() : in.channels()), (int) (flat ? 1 : in.height() * in.width()), lrn.size(),
                    lrn.alpha(), lrn.beta(), lrn.k());
        }
        if (l instanceof Identity) {
            return new Kernel.Alias((int) in.size(), "identity: the output is the input");
        }
        if (l instanceof Flatten) {
            return new Kernel.Alias((int) in.size(), "flatten moves no data: [C,H,W] is already stored C-major");
        }
        if (l instanceof Merge m) {
            if (m.isAdd()) {
                return new Kernel.Add((int) out.size(), c.ins().size(), m.activation(), (float) m.slope());
            }
            List<Integer> channels = c.ins().stream().map(s -> (int) (s.flat() ? s.size() : s.channels())).toList();
            return new Kernel.Concat(channels, (int) (out.flat() ? 1 : out.height() * out.width()));
        }
        if (l instanceof ActivationLayer a) {
            if (fuseSoftmax) {
                return new Kernel.Alias((int) in.size(), "softmax fused into the softmax cross-entropy loss; forward applies it to the output");
            }
            boolean flat = in.flat();
            return new Kernel.Act(a.activation(), (float) a.slope(), (int) (flat ? in.size() : in.channels()),
                    (int) (flat ? 1 : in.height() * in.width()));
        }
        throw new IllegalArgumentException("no kernel for layer kind " + l.type());
    }

    private static Geometry geometry(SpatialFilter f, Shape in, Rounding rounding) {
        // The checker accepted this geometry: recomputing it under the same policy reports nothing.
        Geometry g = f.geometry(in, new ShapeContext(new Report(), rounding, in));
        if (g == null) {
            throw new IllegalStateException(f.name() + ": geometry of a checked layer is undefined");
        }
        return g;
    }

    private static Kernel.Window window(SpatialFilter f, Shape in, Shape out, Rounding rounding) {
        Geometry g = geometry(f, in, rounding);
        if (g.outH() != out.height() || g.outW() != out.width()) {
            throw new IllegalStateException(f.name() + ": lowering disagrees with shape inference");
        }
        return new Kernel.Window((int) in.channels(), (int) in.height(), (int) in.width(), (int) out.height(), (int) out.width(),
                f.window().h(), f.window().w(), f.stride().h(), f.stride().w(), f.dilation().h(), f.dilation().w(),
                g.padTop(), g.padLeft(), g.padBottom(), g.padRight());
    }

    /**
     * He initialisation when the layer is followed by a ReLU-family activation (its own, or the next activation
     * layer before any other linear layer), Xavier otherwise.
     */
    private static Tensor.Init init(List<CheckedLayer> layers, int i) {
        Activation own = layers.get(i).layer().activation();
        if (own != Activation.NONE) {
            return reluFamily(own) ? Tensor.Init.HE : Tensor.Init.XAVIER;
        }
        for (int j = i + 1; j < layers.size(); j++) {
            Layer next = layers.get(j).layer();
            if (next.startsLinear()) {
                return Tensor.Init.XAVIER;
            }
            if (next instanceof ActivationLayer a) {
                return reluFamily(a.activation()) ? Tensor.Init.HE : Tensor.Init.XAVIER;
            }
        }
        return Tensor.Init.XAVIER;
    }

    private static boolean reluFamily(Activation a) {
        return a == Activation.RELU || a == Activation.LEAKY_RELU || a == Activation.RELU6;
    }

    private static List<Tensor> tensors(CheckedLayer c, Kernel kernel, Tensor.Init init) {
        String n = c.name();
        String p = c.layer().decl().tensorPrefix();   // the tensors' names: @TensorName, else the layer's
        List<Tensor> t = new ArrayList<>();
        if (kernel instanceof Kernel.Conv k) {
            int fanIn = k.inPerGroup() * k.w().kh() * k.w().kw();
            int fanOut = k.outPerGroup() * k.w().kh() * k.w().kw();
            t.add(new Tensor(p + ".weight", n + "Weight", n + "WeightGrad",
                    List.of(k.outChannels(), k.inPerGroup(), k.w().kh(), k.w().kw()), Tensor.Role.WEIGHT, init, fanIn, fanOut));
            if (k.bias()) {
                t.add(new Tensor(p + ".bias", n + "Bias", n + "BiasGrad", List.of(k.outChannels()), Tensor.Role.BIAS, Tensor.Init.BIAS, fanIn, fanOut));
            }
        } else if (kernel instanceof Kernel.ConvTranspose k) {
            // PyTorch's fans for a transposed convolution's weight [in, out/groups, kh, kw]: fan_in = out/groups * kh * kw
            int fanIn = k.outPerGroup() * k.kh() * k.kw();
            int fanOut = k.inPerGroup() * k.kh() * k.kw();
            t.add(new Tensor(p + ".weight", n + "Weight", n + "WeightGrad", List.of(k.c(), k.outPerGroup(), k.kh(), k.kw()), Tensor.Role.WEIGHT,
                    init, fanIn, fanOut));
            if (k.bias()) {
                t.add(new Tensor(p + ".bias", n + "Bias", n + "BiasGrad", List.of(k.outChannels()), Tensor.Role.BIAS, Tensor.Init.BIAS, fanIn, fanOut));
            }
        } else if (kernel instanceof Kernel.Dense k) {
            t.add(new Tensor(p + ".weight", n + "Weight", n + "WeightGrad", List.of(k.out(), k.in()), Tensor.Role.WEIGHT, init, k.in(), k.out()));
            if (k.bias()) {
                t.add(new Tensor(p + ".bias", n + "Bias", n + "BiasGrad", List.of(k.out()), Tensor.Role.BIAS, Tensor.Init.BIAS, k.in(), k.out()));
            }
        } else if (kernel instanceof Kernel.BatchNorm k) {
            List<Integer> shape = List.of(k.channels());
            t.add(new Tensor(p + ".weight", n + "Weight", n + "WeightGrad", shape, Tensor.Role.WEIGHT, Tensor.Init.ONE, 1, 1));
            t.add(new Tensor(p + ".bias", n + "Bias", n + "BiasGrad", shape, Tensor.Role.BIAS, Tensor.Init.ZERO, 1, 1));
            t.add(new Tensor(p + ".running_mean", n + "RunningMean", null, shape, Tensor.Role.RUNNING_MEAN, Tensor.Init.ZERO, 1, 1));
            t.add(new Tensor(p + ".running_var", n + "RunningVar", null, shape, Tensor.Role.RUNNING_VAR, Tensor.Init.ONE, 1, 1));
        }
        return t;
    }
}
