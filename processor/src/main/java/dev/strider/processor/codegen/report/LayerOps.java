package dev.strider.processor.codegen.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.strider.dsl.Activation;
import dev.strider.processor.layer.ActivationLayer;
import dev.strider.processor.lower.EnginePlan.Step;
import dev.strider.processor.lower.Kernel;
import dev.strider.processor.lower.Tensor;

/**
 * A layer's computation in machine-readable form, every value resolved (padding as four numbers, rounding folded into
 * the output size): what the runtime's ONNX export and the network diagram read, so that neither has to parse the
 * declaration again. The {@code "op"} object of each layer in the JSON report.
 */
final class LayerOps {
    private LayerOps() {}

    static JsonObject of(Step s) {
        JsonObject o = new JsonObject();
        Kernel k = s.kernel();
        String type = s.layer().layer().type();
        if (k instanceof Kernel.Conv c) {
            o.addProperty("kind", "conv");
            window(o, c.w());
            o.addProperty("groups", c.groups());
            o.addProperty("bias", c.bias());
            activation(o, c.activation(), c.slope());
        } else if (k instanceof Kernel.ConvTranspose t) {
            o.addProperty("kind", "conv_transpose");
            o.add("kernel", pair(t.kh(), t.kw()));
            o.add("stride", pair(t.sh(), t.sw()));
            o.add("dilation", pair(t.dh(), t.dw()));
            JsonArray pads = new JsonArray();
            pads.add(t.ph());
            pads.add(t.pw());
            pads.add(t.ph());
            pads.add(t.pw());
            o.add("pads", pads);
            // output = (in - 1) * stride - 2 * pad + dilation * (kernel - 1) + outputPadding + 1
            o.add("outputPadding", pair(t.oh() - ((t.ih() - 1) * t.sh() - 2 * t.ph() + t.dh() * (t.kh() - 1) + 1),
                    t.ow() - ((t.iw() - 1) * t.sw() - 2 * t.pw() + t.dw() * (t.kw() - 1) + 1)));
            o.addProperty("groups", t.groups());
            o.addProperty("bias", t.bias());
            activation(o, t.activation(), t.slope());
        } else if (k instanceof Kernel.Pool p) {
            o.addProperty("kind", p.max() ? "max_pool" : "avg_pool");
            window(o, p.w());
            o.addProperty("countPadding", p.countPadding());
        } else if (k instanceof Kernel.L2Pool p) {
            o.addProperty("kind", "l2_pool");
            window(o, p.w());
        } else if (k instanceof Kernel.GlobalAvgPool) {
            o.addProperty("kind", "global_avg_pool");
        } else if (k instanceof Kernel.Dense d) {
            o.addProperty("kind", "dense");
            o.addProperty("units", d.out());
            o.addProperty("bias", d.bias());
            activation(o, d.activation(), d.slope());
        } else if (k instanceof Kernel.Act a) {
            o.addProperty("kind", "activation");
            activation(o, a.activation(), a.slope());
        } else if (k instanceof Kernel.BatchNorm b) {
            o.addProperty("kind", "batch_norm");
            o.addProperty("epsilon", b.epsilon());
            o.addProperty("momentum", b.momentum());
        } else if (k instanceof Kernel.Dropout d) {
            o.addProperty("kind", "dropout");
            o.addProperty("rate", d.rate());
        } else if (k instanceof Kernel.Upsample u) {
            o.addProperty("kind", "upsample");
            o.add("scale", pair(u.sh(), u.sw()));
            o.addProperty("mode", u.bilinear() ? "bilinear" : "nearest");
        } else if (k instanceof Kernel.AdaptivePool a) {
            o.addProperty("kind", "adaptive_avg_pool");
            o.add("outputSize", pair(a.oh(), a.ow()));
        } else if (k instanceof Kernel.Shuffle sh) {
            o.addProperty("kind", "channel_shuffle");
            o.addProperty("groups", sh.groups());
        } else if (k instanceof Kernel.Lrn l) {
            o.addProperty("kind", "lrn");
            o.addProperty("localSize", l.size());
            o.addProperty("alpha", l.alpha());
            o.addProperty("beta", l.beta());
            o.addProperty("k", l.k());
        } else if (k instanceof Kernel.Add a) {
            o.addProperty("kind", "add");
            activation(o, a.activation(), a.slope());
        } else if (k instanceof Kernel.Concat) {
            o.addProperty("kind", "concat");
        } else if (k instanceof Kernel.Alias && s.layer().layer() instanceof ActivationLayer a) {
            // a softmax fused into the loss: no kernel of its own, but forward applies it
            o.addProperty("kind", "activation");
            activation(o, a.activation(), (float) a.slope());
        } else if (type.equals("Flatten")) {
            o.addProperty("kind", "flatten");
        } else {
            // Identity, and the layers that only pass values on (an alias or a copy of their input)
            o.addProperty("kind", "identity");
        }
        JsonObject tensors = new JsonObject();
        for (Tensor t : s.tensors()) {
            tensors.addProperty(t.role().name().toLowerCase(java.util.Locale.ROOT), t.name());
        }
        o.add("tensors", tensors);
        return o;
    }

    private static void window(JsonObject o, Kernel.Window w) {
        o.add("kernel", pair(w.kh(), w.kw()));
        o.add("stride", pair(w.sh(), w.sw()));
        o.add("dilation", pair(w.dh(), w.dw()));
        JsonArray pads = new JsonArray();
        pads.add(w.padTop());
        pads.add(w.padLeft());
        pads.add(w.padBottom());
        pads.add(w.padRight());
        o.add("pads", pads);
    }

    private static void activation(JsonObject o, Activation a, float slope) {
        o.addProperty("activation", a.name());
        if (a == Activation.LEAKY_RELU) {
            o.addProperty("slope", slope);
        }
    }

    private static JsonArray pair(int a, int b) {
        JsonArray p = new JsonArray();
        p.add(a);
        p.add(b);
        return p;
    }
}
