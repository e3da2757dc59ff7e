package dev.strider.processor.codegen.java;

import com.palantir.javapoet.ClassName;
import dev.strider.dsl.Activation;
import dev.strider.processor.lower.EnginePlan.Step;
import dev.strider.processor.lower.Kernel;
import dev.strider.processor.lower.MemoryPlan;
import dev.strider.processor.lower.Tensor;

/**
 * Renders one lowered layer as Java: the body of its forward and backward methods, with every size, stride and
 * offset a literal. Loops keep the innermost index contiguous in the output so that C2 can vectorise them.
 */
final class KernelEmitter {
    private KernelEmitter() {}

    static Code forward(Step s) {
        return forward(s, false);
    }

    /**
     * The body of {@code s}'s forward method; {@code inferenceOnly}: for an engine that never trains, whose buffers
     * are the thread's planned arrays (the convolutions' padded inputs among them), and which keeps nothing for a backward pass
     * (no dropout mask, batch-norm normalised input or LRN scale; batch norm and dropout always as in evaluation).
     */
    static Code forward(Step s, boolean inferenceOnly) {
        Code c = new Code();
        Kernel k = s.kernel();
        if (k instanceof Kernel.Conv conv) {
            convForward(c, s, conv, inferenceOnly);
        } else if (k instanceof Kernel.Pool pool) {
            if (splitsImage(s)) {
                throw new IllegalArgumentException(s.name() + ": a split layer's forward pass is written by EngineGenerator");
            }
            c.line("final int ncFirst = from * $L, ncEnd = to * $L", pool.w().c(), pool.w().c());
            if (pool.max()) {
                maxPoolForward(c, s, pool);
            } else {
                avgPoolForward(c, s, pool);
            }
        } else if (k instanceof Kernel.GlobalAvgPool g) {
            c.line("final float[] in = $N, out = $N", s.in(), s.out());
            c.open("for (int nc = from * $L; nc < to * $L; nc++)", g.channels(), g.channels());
            c.line("int i = nc * $L", g.plane());
            c.line("double sum = 0");
            c.open("for (int p = 0; p < $L; p++)", g.plane()).line("sum += in[i + p]").close();
            c.line("out[nc] = (float) (sum / $L)", g.plane());
            c.close();
        } else if (k instanceof Kernel.Dense d) {
            denseForward(c, s, d);
        } else if (k instanceof Kernel.Act a && a.activation() == Activation.SOFTMAX) {
            c.line("final float[] in = $N, out = $N", s.in(), s.out());
            c.open("for (int n = from; n < to; n++)");
            c.line("$T.softmax(in, out, n * $L, $L, $L)", KERNELS, a.inSize(), a.channels(), a.plane());
            c.close();
        } else if (splitsImage(s)) {
            throw new IllegalArgumentException(s.name() + ": a split layer's forward pass is written by EngineGenerator");
        } else if (k instanceof Kernel.Dropout d && inferenceOnly) {
            c.comment("dropout at inference: the identity");
            c.line("System.arraycopy($N, from * $L, $N, from * $L, (to - from) * $L)", s.in(), d.size(), s.out(), d.size(), d.size());
        } else if (k instanceof Kernel.Dropout d) {
            c.line("final float[] in = $N, out = $N, mask = $N", s.in(), s.out(), s.name() + "Mask");
            c.line("final boolean trained = isTraining()");
            c.line("if (from == 0) $N = trained", s.name() + "Trained");
            c.open("if (trained)");
            c.comment("inverted dropout: keep with probability $L, scale kept values by 1/$L", 1 - d.rate(), 1 - d.rate());
            c.open("for (int i = from * $L; i < to * $L; i++)", d.size(), d.size());
            c.line("float m = rng.nextFloat() < $Lf ? $Lf : 0f", 1 - d.rate(), 1 / (1 - d.rate()));
            c.line("mask[i] = m");
            c.line("out[i] = in[i] * m");
            c.close();
            c.orElse("else");
            c.line("System.arraycopy(in, from * $L, out, from * $L, (to - from) * $L)", d.size(), d.size(), d.size());
            c.close();
        } else if (k instanceof Kernel.Copy copy) {
            c.comment("$L", copy.why());
            c.line("System.arraycopy($N, from * $L, $N, from * $L, (to - from) * $L)", s.in(), copy.size(), s.out(), copy.size(), copy.size());
        } else if (k instanceof Kernel.Alias a) {
            c.comment("$L", a.why());
        } else if (k instanceof Kernel.ConvTranspose t) {
            convTransposeForward(c, s, t);
        } else if (k instanceof Kernel.Upsample u) {
            upsampleForward(c, s, u);
        } else if (k instanceof Kernel.L2Pool p) {
            Kernel.Window w = p.w();
            c.line("final float[] in = $N, out = $N", s.in(), s.out());
            c.open("for (int nc = from * $L; nc < to * $L; nc++)", w.c(), w.c());
            c.open("for (int oy = 0; oy < $L; oy++)", w.oh());
            c.open("for (int ox = 0; ox < $L; ox++)", w.ow());
            c.line("double sum = 0");
            c.open("for (int ky = 0; ky < $L; ky++)", w.kh());
            c.line("int y = oy * $L - $L + ky", w.sh(), w.padTop());
            c.line("if (y < 0 || y >= $L) continue", w.ih());
            c.open("for (int kx = 0; kx < $L; kx++)", w.kw());
            c.line("int x = ox * $L - $L + kx", w.sw(), w.padLeft());
            c.line("if (x < 0 || x >= $L) continue", w.iw());
            c.line("double v = in[(nc * $L + y) * $L + x]", w.ih(), w.iw());
            c.line("sum += v * v");
            c.close().close();
            c.line("out[(nc * $L + oy) * $L + ox] = (float) Math.sqrt(sum)", w.oh(), w.ow());
            c.close().close().close();
        } else if (k instanceof Kernel.AdaptivePool a) {
            c.line("final float[] in = $N, out = $N", s.in(), s.out());
            c.open("for (int nc = from * $L; nc < to * $L; nc++)", a.channels(), a.channels());
            c.open("for (int oy = 0; oy < $L; oy++)", a.oh());
            c.line("int y0 = (int) (oy * (long) $L / $L), y1 = (int) (((oy + 1) * (long) $L + $L) / $L)", a.ih(), a.oh(), a.ih(), a.oh() - 1, a.oh());
            c.open("for (int ox = 0; ox < $L; ox++)", a.ow());
            c.line("int x0 = (int) (ox * (long) $L / $L), x1 = (int) (((ox + 1) * (long) $L + $L) / $L)", a.iw(), a.ow(), a.iw(), a.ow() - 1, a.ow());
            c.line("double sum = 0");
            c.open("for (int y = y0; y < y1; y++)").open("for (int x = x0; x < x1; x++)").line("sum += in[(nc * $L + y) * $L + x]", a.ih(), a.iw()).close().close();
            c.line("out[(nc * $L + oy) * $L + ox] = (float) (sum / ((y1 - y0) * (x1 - x0)))", a.oh(), a.ow());
            c.close().close().close();
        } else if (k instanceof Kernel.Shuffle sh) {
            c.line("final float[] in = $N, out = $N", s.in(), s.out());
            c.comment("output channel o takes input channel (o % $L) * $L + o / $L", sh.groups(), sh.channels() / sh.groups(), sh.groups());
            c.open("for (int n = from; n < to; n++)").open("for (int o = 0; o < $L; o++)", sh.channels())
                    .line("System.arraycopy(in, (n * $L + $L) * $L, out, (n * $L + o) * $L, $L)", sh.channels(), sh.source("o"), sh.plane(),
                            sh.channels(), sh.plane(), sh.plane())
                    .close().close();
        } else if (k instanceof Kernel.Lrn lrn) {
            if (inferenceOnly) {
                c.line("final float[] in = $N, out = $N", s.in(), s.out());
            } else {
                c.line("final float[] in = $N, out = $N, scale = $N", s.in(), s.out(), s.name() + "Scale");
            }
            c.comment("scale = k + alpha/size * (sum of squares over channels c - $L .. c + $L), out = in * scale^-beta", lrn.before(), lrn.after());
            c.open("for (int n = from; n < to; n++)");
            c.open("for (int ch = 0; ch < $L; ch++)", lrn.channels());
            c.line("int lo = Math.max(0, ch - $L), hi = Math.min($L, ch + $L)", lrn.before(), lrn.channels() - 1, lrn.after());
            c.open("for (int p = 0; p < $L; p++)", lrn.plane());
            c.line("double sum = 0");
            c.open("for (int j = lo; j <= hi; j++)").line("double v = in[(n * $L + j) * $L + p]", lrn.channels(), lrn.plane()).line("sum += v * v").close();
            c.line("int i = (n * $L + ch) * $L + p", lrn.channels(), lrn.plane());
            c.line("double d = $L + $L * sum", lrn.k(), lrn.alpha() / lrn.size());
            if (!inferenceOnly) {
                c.line("scale[i] = (float) d");
            }
            c.line("out[i] = (float) (in[i] * Math.pow(d, -$L))", lrn.beta());
            c.close().close().close();
        } else if (k instanceof Kernel.Concat cat) {
            int outImage = cat.outSize();
            for (int i = 0; i < s.ins().size(); i++) {
                int part = cat.channels().get(i) * cat.plane();
                c.comment("$N: $L channels at channel $L", s.layer().inputs().get(i), cat.channels().get(i), cat.offset(i));
                c.open("for (int n = from; n < to; n++)")
                        .line("System.arraycopy($N, n * $L, $N, n * $L + $L, $L)", s.ins().get(i), part, s.out(), outImage,
                                cat.offset(i) * cat.plane(), part)
                        .close();
            }
        }
        return c;
    }

    /** After {@code s}'s backward pass: adds the scratch gradients of inputs other layers take too (see {@code GradAdd}). */
    static Code accumulate(Step s) {
        Code c = new Code();
        for (var g : s.accumulate()) {
            c.comment("$N is taken by a later layer too: add this layer's gradient to it", g.target());
            c.open("if ($N != null)", g.target())
                    .line("$T.axpy(1f, $N, from * $L, $N, from * $L, (to - from) * $L)", KERNELS, g.scratch(), g.size(), g.target(), g.size(), g.size())
                    .close();
        }
        return c;
    }

    static Code backward(Step s) {
        Code c = new Code();
        Kernel k = s.kernel();
        String gIn = s.inGrad();
        if (k instanceof Kernel.Add add) {
            c.line("final float[] out = $N, gOut = $N", s.out(), s.outGrad());
            activationBackward(c, add.activation(), add.slope(), add.size(), add.size(), 1);
            c.comment("a sum passes its gradient to every input unchanged");
            for (String g : s.inGrads()) {
                c.open("if ($N != null)", g).line("System.arraycopy(gOut, from * $L, $N, from * $L, (to - from) * $L)", add.size(), g, add.size(), add.size()).close();
            }
            return c;
        }
        if (k instanceof Kernel.ConvTranspose t) {
            convTransposeBackward(c, s, t);
            return c;
        }
        if (k instanceof Kernel.Upsample u) {
            upsampleBackward(c, s, u);
            return c;
        }
        if (k instanceof Kernel.L2Pool p) {
            Kernel.Window w = p.w();
            c.line("final float[] in = $N, out = $N, gOut = $N, gIn = $N", s.in(), s.out(), s.outGrad(), gIn);
            c.line("if (gIn == null) return");
            c.comment("d out / d x = x / out for every window that holds x (0 where a window's sum is 0)");
            c.open("for (int nc = from * $L; nc < to * $L; nc++)", w.c(), w.c());
            c.open("for (int y = 0; y < $L; y++)", w.ih());
            c.open("for (int x = 0; x < $L; x++)", w.iw());
            c.line("double acc = 0");
            c.open("for (int ky = 0; ky < $L; ky++)", w.kh());
            c.line("int ty = y + $L - ky", w.padTop());
            c.line("if (ty < 0 || ty % $L != 0 || ty / $L >= $L) continue", w.sh(), w.sh(), w.oh());
            c.open("for (int kx = 0; kx < $L; kx++)", w.kw());
            c.line("int tx = x + $L - kx", w.padLeft());
            c.line("if (tx < 0 || tx % $L != 0 || tx / $L >= $L) continue", w.sw(), w.sw(), w.ow());
            c.line("int o = (nc * $L + ty / $L) * $L + tx / $L", w.oh(), w.sh(), w.ow(), w.sw());
            c.line("if (out[o] > 0f) acc += (double) gOut[o] / out[o]");
            c.close().close();
            c.line("int i = (nc * $L + y) * $L + x", w.ih(), w.iw());
            c.line("gIn[i] = (float) (acc * in[i])");
            c.close().close().close();
            return c;
        }
        if (k instanceof Kernel.AdaptivePool a) {
            c.line("final float[] gOut = $N, gIn = $N", s.outGrad(), gIn);
            c.line("if (gIn == null) return");
            c.comment("each input value gathers gradient / bin size from every bin that holds it (bins may overlap)");
            c.open("for (int nc = from * $L; nc < to * $L; nc++)", a.channels(), a.channels());
            c.open("for (int y = 0; y < $L; y++)", a.ih());
            c.open("for (int x = 0; x < $L; x++)", a.iw());
            c.line("double acc = 0");
            c.open("for (int oy = 0; oy < $L; oy++)", a.oh());
            c.line("int y0 = (int) (oy * (long) $L / $L), y1 = (int) (((oy + 1) * (long) $L + $L) / $L)", a.ih(), a.oh(), a.ih(), a.oh() - 1, a.oh());
            c.line("if (y < y0 || y >= y1) continue");
            c.open("for (int ox = 0; ox < $L; ox++)", a.ow());
            c.line("int x0 = (int) (ox * (long) $L / $L), x1 = (int) (((ox + 1) * (long) $L + $L) / $L)", a.iw(), a.ow(), a.iw(), a.ow() - 1, a.ow());
            c.line("if (x < x0 || x >= x1) continue");
            c.line("acc += gOut[(nc * $L + oy) * $L + ox] / (double) ((y1 - y0) * (x1 - x0))", a.oh(), a.ow());
            c.close().close();
            c.line("gIn[(nc * $L + y) * $L + x] = (float) acc", a.ih(), a.iw());
            c.close().close().close();
            return c;
        }
        if (k instanceof Kernel.Shuffle sh) {
            c.line("final float[] gOut = $N, gIn = $N", s.outGrad(), gIn);
            c.line("if (gIn == null) return");
            c.open("for (int n = from; n < to; n++)").open("for (int o = 0; o < $L; o++)", sh.channels())
                    .line("System.arraycopy(gOut, (n * $L + o) * $L, gIn, (n * $L + $L) * $L, $L)", sh.channels(), sh.plane(), sh.channels(),
                            sh.source("o"), sh.plane(), sh.plane())
                    .close().close();
            return c;
        }
        if (k instanceof Kernel.Lrn lrn) {
            c.line("final float[] in = $N, gOut = $N, gIn = $N, scale = $N", s.in(), s.outGrad(), gIn, s.name() + "Scale");
            c.line("if (gIn == null) return");
            c.comment("gIn_i = gOut_i scale_i^-beta - 2 alpha beta / size * in_i * sum over c whose window holds i of gOut_c in_c scale_c^(-beta-1)");
            c.open("for (int n = from; n < to; n++)");
            c.open("for (int ch = 0; ch < $L; ch++)", lrn.channels());
            c.line("int lo = Math.max(0, ch - $L), hi = Math.min($L, ch + $L)", lrn.after(), lrn.channels() - 1, lrn.before());
            c.open("for (int p = 0; p < $L; p++)", lrn.plane());
            c.line("double sum = 0");
            c.open("for (int j = lo; j <= hi; j++)")
                    .line("int q = (n * $L + j) * $L + p", lrn.channels(), lrn.plane())
                    .line("sum += (double) gOut[q] * in[q] * Math.pow(scale[q], -$L - 1)", lrn.beta())
                    .close();
            c.line("int i = (n * $L + ch) * $L + p", lrn.channels(), lrn.plane());
            c.line("gIn[i] = (float) (gOut[i] * Math.pow(scale[i], -$L) - $L * in[i] * sum)", lrn.beta(), 2 * lrn.alpha() * lrn.beta() / lrn.size());
            c.close().close().close();
            return c;
        }
        if (k instanceof Kernel.Concat cat) {
            int outImage = cat.outSize();
            for (int i = 0; i < s.inGrads().size(); i++) {
                int part = cat.channels().get(i) * cat.plane();
                String g = s.inGrads().get(i);
                c.open("if ($N != null)", g)
                        .open("for (int n = from; n < to; n++)")
                        .line("System.arraycopy($N, n * $L + $L, $N, n * $L, $L)", s.outGrad(), outImage, cat.offset(i) * cat.plane(), g, part, part)
                        .close().close();
            }
            return c;
        }
        if (k instanceof Kernel.Conv conv) {
            convBackward(c, s, conv);
        } else if (k instanceof Kernel.Pool pool) {
            c.line("final float[] gOut = $N, gIn = $N", s.outGrad(), gIn);
            c.line("if (gIn == null) return");
            c.line("java.util.Arrays.fill(gIn, from * $L, to * $L, 0f)", pool.inSize(), pool.inSize());
            if (pool.max()) {
                maxPoolSwitches(c, s, pool);
                c.comment("the gradient goes to the input that won the max (the \"switches\")");
                c.open("for (int j = from * $L; j < to * $L; j++)", pool.outSize(), pool.outSize()).line("gIn[argmax[j]] += gOut[j]").close();
            } else {
                avgPoolBackward(c, pool);
            }
        } else if (k instanceof Kernel.GlobalAvgPool g) {
            c.line("final float[] gOut = $N, gIn = $N", s.outGrad(), gIn);
            c.line("if (gIn == null) return");
            c.open("for (int nc = from * $L; nc < to * $L; nc++)", g.channels(), g.channels());
            c.line("float v = gOut[nc] / $L", g.plane());
            c.line("int i = nc * $L", g.plane());
            c.open("for (int p = 0; p < $L; p++)", g.plane()).line("gIn[i + p] = v").close();
            c.close();
        } else if (k instanceof Kernel.Dense d) {
            denseBackward(c, s, d);
        } else if (k instanceof Kernel.Act a) {
            actBackward(c, s, a);
        } else if (k instanceof Kernel.BatchNorm bn) {
            batchNormBackward(c, s, bn);
        } else if (k instanceof Kernel.Dropout d) {
            c.line("final float[] gOut = $N, gIn = $N, mask = $N", s.outGrad(), gIn, s.name() + "Mask");
            c.line("if (gIn == null) return");
            c.open("if ($N)", s.name() + "Trained");
            c.open("for (int i = from * $L; i < to * $L; i++)", d.size(), d.size()).line("gIn[i] = gOut[i] * mask[i]").close();
            c.orElse("else");
            c.line("System.arraycopy(gOut, from * $L, gIn, from * $L, (to - from) * $L)", d.size(), d.size(), d.size());
            c.close();
        } else if (k instanceof Kernel.Copy copy) {
            c.open("if ($N != null)", gIn).line("System.arraycopy($N, from * $L, $N, from * $L, (to - from) * $L)", s.outGrad(), copy.size(), gIn, copy.size(), copy.size()).close();
        } else if (k instanceof Kernel.Alias a) {
            c.comment("$L", a.why());
        }
        return c;
    }

    // ---- convolution

    private static final ClassName KERNELS = ClassName.get("dev.strider.runtime.engine", "Kernels");

    /**
     * Convolution as a matrix product without an im2col matrix: per image and group, the weights
     * ({@code filters x K}, {@code K = in/groups * kh * kw}) times the patches ({@code K x P}, {@code P = oh * ow}),
     * whose panels the layer's {@code <name>Patches} ({@code ImplicitConv}) packs straight from the input, or from its
     * zero-padded copy (split by the stride's phases) in the scratch.
     */
    private static void convForward(Code c, Step s, Kernel.Conv k, boolean inferenceOnly) {
        Kernel.Window w = k.w();
        int ihw = w.ih() * w.iw();
        int p = w.oh() * w.ow();
        int kk = k.inPerGroup() * w.kh() * w.kw();
        c.line("final float[] in = $N, out = $N, weight = $N", s.in(), s.out(), s.tensor(Tensor.Role.WEIGHT).field());
        String source = "null";
        if (k.sourceLength() > 0) {
            source = "source";
            if (inferenceOnly) {
                c.comment("the input zero-padded$L for the product: the thread's planned array", k.phaseSplit() ? " and split by the stride's phases" : "");
                c.line("final float[] source = $N", MemoryPlan.source(s));
            } else {
                c.comment("the input zero-padded$L for the product: this layer's scratch on the caller, the worker's own in an image-parallel pass",
                        k.phaseSplit() ? " and split by the stride's phases" : "");
                c.line("final float[] source = lane == 0 ? $N : laneScratch(lane)", s.name() + "Col");
            }
        } else {
            c.comment("stride 1 and no padding: the product reads its patches from the input in place");
        }
        if (k.bias()) {
            c.line("final float[] bias = $N", s.tensor(Tensor.Role.BIAS).field());
        }
        c.open("for (int n = from; n < to; n++)");
        c.open("for (int g = 0; g < $L; g++)", k.groups());
        c.comment("[$L x $L weights] x [$L x $L patches]", k.outPerGroup(), kk, kk, p);
        c.line("int o = (n * $L + g * $L) * $L", k.outChannels(), k.outPerGroup(), p);
        boolean relu = k.activation() == Activation.RELU;
        String packed = inferenceOnly && EngineGenerator.packsWeights(k) ? EngineGenerator.packedField(s) + ", " : "";
        c.line("$N.$L(weight, g * $L, $Lin, (n * $L + g * $L) * $L, $L, out, o, $L, g * $L)", s.name() + "Patches", relu ? "forwardRelu" : "forward",
                k.outPerGroup() * kk, packed, w.c(), k.inPerGroup(), ihw, source, k.bias() ? "bias" : "null", k.outPerGroup());
        if (!relu && k.activation() != Activation.NONE && k.activation() != Activation.SOFTMAX) {
            c.open("for (int q = o; q < o + $L; q++)", k.outPerGroup() * p);
            activate(c, k.activation(), k.slope(), "out[q]");
            c.close();
        }
        c.close(); // g
        if (k.activation() == Activation.SOFTMAX) {
            c.line("$T.softmax(out, n * $L, $L, $L)", KERNELS, k.outSize(), k.outChannels(), p);
        }
        c.close(); // n
    }

    /**
     * The body of a convolution's transposed im2col helper {@code (float[] in, int image, float[] colT)}: row p (an
     * output position) of {@code colT} holds its K patch values, so that the backward pass can update whole weight
     * rows and patch rows with contiguous loops. With {@code scatter} it is the matching col2im helper
     * {@code (float[] colT, float[] gIn, int image)}.
     */
    static Code im2colTransposed(Kernel.Conv k, boolean scatter) {
        Kernel.Window w = k.w();
        int kk = k.inPerGroup() * w.kh() * w.kw();
        int ihw = w.ih() * w.iw();
        // the output columns whose every tap reads inside the input: ow * sw - padLeft >= 0 and
        // ow * sw - padLeft + (kw - 1) * dw < iw
        int owFirst = Math.min(w.ow(), (w.padLeft() + w.sw() - 1) / w.sw());
        int owEnd = Math.max(owFirst, Math.min(w.ow(), Math.floorDiv(w.iw() - 1 + w.padLeft() - (w.kw() - 1) * w.dw(), w.sw()) + 1));
        boolean everyColumn = owFirst == 0 && owEnd == w.ow();
        boolean everyRow = w.padTop() == 0 && (w.oh() - 1) * w.sh() + (w.kh() - 1) * w.dh() < w.ih();
        Code c = new Code();
        c.open("for (int oh = 0; oh < $L; oh++)", w.oh());
        c.open("for (int ow = 0; ow < $L; ow++)", w.ow());
        c.line("int dst = (oh * $L + ow) * $L", w.ow(), kk);
        c.line("int iw0 = ow * $L - $L", w.sw(), w.padLeft());
        if (!everyColumn) {
            c.comment("columns $L to $L read every tap inside the input: their runs go without checks", owFirst, owEnd - 1);
            c.line("boolean columnsInside = ow >= $L && ow < $L", owFirst, owEnd);
        }
        c.open("for (int icg = 0; icg < $L; icg++)", k.inPerGroup());
        c.open("for (int kh = 0; kh < $L; kh++)", w.kh());
        c.line("int ih = oh * $L - $L + kh * $L", w.sh(), w.padTop(), w.dh());
        c.line("int r = dst + (icg * $L + kh) * $L", w.kh(), w.kw());
        String inside = (everyColumn ? "" : "columnsInside") + (everyColumn || everyRow ? "" : " && ")
                + (everyRow ? "" : "ih >= 0 && ih < " + w.ih());
        if (!inside.isEmpty()) {
            c.open("if ($L)", inside);
        }
        c.line("int src = image + icg * $L + ih * $L + iw0", ihw, w.iw());
        c.open("for (int kw = 0; kw < $L; kw++)", w.kw());
        if (scatter) {
            c.line("gIn[src + kw * $L] += colT[r + kw]", w.dw());
        } else {
            c.line("colT[r + kw] = in[src + kw * $L]", w.dw());
        }
        c.close();
        if (!inside.isEmpty()) {
            c.orElse("else");
            c.line("boolean rowInside = ih >= 0 && ih < $L", w.ih());
            c.open("for (int kw = 0; kw < $L; kw++)", w.kw());
            c.line("int iw = iw0 + kw * $L", w.dw());
            c.line("boolean inside = rowInside && iw >= 0 && iw < $L", w.iw());
            if (scatter) {
                c.open("if (inside)").line("gIn[image + icg * $L + ih * $L + iw] += colT[r + kw]", ihw, w.iw()).close();
            } else {
                c.line("colT[r + kw] = inside ? in[image + icg * $L + ih * $L + iw] : 0f", ihw, w.iw());
            }
            c.close();
            c.close();
        }
        c.close().close().close().close();
        return c;
    }

    private static void convBackward(Code c, Step s, Kernel.Conv k) {
        Kernel.Window w = k.w();
        int ihw = w.ih() * w.iw();
        int p = w.oh() * w.ow();
        int kk = k.inPerGroup() * w.kh() * w.kw();
        c.line("final float[] in = $N, out = $N, gOut = $N, gIn = $N", s.in(), s.out(), s.outGrad(), s.inGrad());
        c.line("final float[] weight = $N, weightGrad = $N", s.tensor(Tensor.Role.WEIGHT).field(), s.tensor(Tensor.Role.WEIGHT).gradField());
        c.comment("im2col scratch: this layer's own for the first part of the batch, the part's own for the others");
        c.line("final float[] colT = lane == 0 ? $N : laneScratch(lane), colTGrad = lane == 0 ? $N : laneScratchGrad(lane)",
                s.name() + "Col", s.name() + "ColGrad");
        activationBackward(c, k.activation(), k.slope(), k.outSize(), k.outChannels(), p);
        c.open("if (weightGrad != null)").line("java.util.Arrays.fill(weightGrad, 0f)").close();
        if (k.bias()) {
            c.line("final float[] biasGrad = $N", s.tensor(Tensor.Role.BIAS).gradField());
            c.open("if (biasGrad != null)").line("java.util.Arrays.fill(biasGrad, 0f)").close();
        }
        c.open("if (gIn != null)").line("java.util.Arrays.fill(gIn, from * $L, to * $L, 0f)", k.inSize(), k.inSize()).close();
        c.comment("a small stride-1 convolution on the vector kernel takes d weight from its source: no transposed patches");
        c.line("final boolean fromSource = $N.weightGradientFromSource()", s.name() + "Patches");
        c.open("for (int n = from; n < to; n++)");
        c.open("for (int g = 0; g < $L; g++)", k.groups());
        c.line("int image = (n * $L + g * $L) * $L", w.c(), k.inPerGroup(), ihw);
        c.line("int o = (n * $L + g * $L) * $L", k.outChannels(), k.outPerGroup(), p);
        c.comment("the patches are needed for d weight only");
        c.open("if (weightGrad != null && !fromSource)").line("$N(in, image, colT)", s.name() + "Im2colT").close();
        c.open("if (gIn != null)").line("java.util.Arrays.fill(colTGrad, 0, $L, 0f)", p * kk).close();
        c.comment("d weight rows += d out * patch rows; d patch rows += d out * weight rows");
        c.line("$T.convBackwardPlanes(gOut, o, $L, $L, colT, $L, weight, g * $L, fromSource ? null : weightGrad, $L, g * $L, gIn == null ? null : colTGrad)",
                KERNELS, k.outPerGroup(), p, kk, k.outPerGroup() * kk, k.bias() ? "biasGrad" : "null", k.outPerGroup());
        c.open("if (weightGrad != null && fromSource)");
        c.comment("(colT is free: it takes the zero-padded input, if the layer pads)");
        c.line("$N.addWeightGradient(gOut, o, in, image, colT, weightGrad, g * $L)", s.name() + "Patches", k.outPerGroup() * kk);
        c.close();
        c.open("if (gIn != null)").line("$N(colTGrad, gIn, image)", s.name() + "Col2imT").close();
        c.close().close(); // g, n
    }

    // ---- pooling

    /** Windows this small, all inside the input, are unrolled into straight-line compares (no bounds, no loops). */
    private static final int UNROLLED_WINDOW = 9;

    private static void maxPoolForward(Code c, Step s, Kernel.Pool k) {
        Kernel.Window w = k.w();
        c.line("final float[] in = $N, out = $N", s.in(), s.out());
        boolean inside = w.padTop() == 0 && w.padLeft() == 0
                && (w.oh() - 1) * w.sh() + w.kh() <= w.ih() && (w.ow() - 1) * w.sw() + w.kw() <= w.iw();
        if (inside && w.kh() == 2 && w.kw() == 2 && w.sh() == 2 && w.sw() == 2 && w.dh() == 1 && w.dw() == 1) {
            c.comment("every 2x2 window lies inside the input: each output row's two input rows compared first, a vector at a time");
            c.comment("(Math.max: NaN propagates); the backward pass recomputes which cell won");
            c.line("$T.maxPool2x2(in, ncFirst * $L, out, ncFirst * $L, ncEnd - ncFirst, $L, $L, $L, $L)", KERNELS, w.ih() * w.iw(),
                    w.oh() * w.ow(), w.ih(), w.iw(), w.oh(), w.ow());
            return;
        }
        // (pooling windows have no dilation)
        c.comment("each output row's $L input rows compared first, whole rows at a time (a vector at a time), then each output's $L columns",
                w.kh(), w.kw());
        c.comment("among their maxima; windows clipped to the input: padding never wins; Math.max: NaN propagates");
        c.comment("(the backward pass recomputes which cell won)");
        c.line("$T.maxPool(in, ncFirst * $L, out, ncFirst * $L, ncEnd - ncFirst, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", KERNELS,
                w.ih() * w.iw(), w.oh() * w.ow(), w.ih(), w.iw(), w.oh(), w.ow(), w.kh(), w.kw(), w.sh(), w.sw(), w.padTop(), w.padLeft());
    }

    /**
     * The body of a pooling layer's {@code <name>Planes(ncFirst, ncEnd)}: its planes {@code [ncFirst, ncEnd)} (image n's
     * are {@code [n * channels, (n + 1) * channels)}).
     */
    static Code poolPlanes(Step s) {
        Code c = new Code();
        Kernel.Pool pool = (Kernel.Pool) s.kernel();
        if (pool.max()) {
            maxPoolForward(c, s, pool);
        } else {
            avgPoolForward(c, s, pool);
        }
        return c;
    }

    /**
     * Opens the loops over planes {@code nc} in {@code [ncFirst, ncEnd)}, output rows and output columns of a pooling
     * whose windows all lie inside the input, and declares {@code at} (the window's first cell). The caller closes
     * three levels.
     */
    private static void openInsideWindows(Code c, Kernel.Window w) {
        c.open("for (int nc = ncFirst; nc < ncEnd; nc++)");
        c.line("int i = nc * $L, o = nc * $L", w.ih() * w.iw(), w.oh() * w.ow());
        c.open("for (int oh = 0; oh < $L; oh++)", w.oh());
        c.open("for (int ow = 0; ow < $L; ow++)", w.ow());
        c.line("int at = i + oh * $L + ow * $L", w.sh() * w.iw(), w.sw());
    }



    /**
     * Inside a loop over planes {@code nc}: opens the loops over output rows and columns and declares each window's
     * input rows {@code [hFirst, hEnd)} and columns {@code [wFirst, wEnd)} (the window clipped to the input). The caller
     * closes two levels.
     */
    private static void windowBounds(Code c, Kernel.Window w) {
        c.line("int i = nc * $L, o = nc * $L", w.ih() * w.iw(), w.oh() * w.ow());
        c.open("for (int oh = 0; oh < $L; oh++)", w.oh());
        c.line("int h0 = oh * $L - $L", w.sh(), w.padTop());
        c.line("int hFirst = Math.max(h0, 0), hEnd = Math.min(h0 + $L, $L)", w.kh(), w.ih());
        c.open("for (int ow = 0; ow < $L; ow++)", w.ow());
        c.line("int w0 = ow * $L - $L", w.sw(), w.padLeft());
        c.line("int wFirst = Math.max(w0, 0), wEnd = Math.min(w0 + $L, $L)", w.kw(), w.iw());
    }

    /**
     * The backward pass's switches: for each output, the input cell whose value the forward pass's maximum is (the
     * first maximum of its window; with NaNs, the last NaN), recomputed from the kept input so that the forward pass
     * stays free of branches and writes nothing but the maxima.
     */
    private static void maxPoolSwitches(Code c, Step s, Kernel.Pool k) {
        Kernel.Window w = k.w();
        c.line("final float[] in = $N", s.in());
        c.line("final int[] argmax = $N", s.name() + "Argmax");
        c.line("final int ncFirst = from * $L, ncEnd = to * $L", w.c(), w.c());
        boolean inside = w.padTop() == 0 && w.padLeft() == 0
                && (w.oh() - 1) * w.sh() + w.kh() <= w.ih() && (w.ow() - 1) * w.sw() + w.kw() <= w.iw();
        if (inside && w.kh() * w.kw() <= UNROLLED_WINDOW) {
            c.comment("every window lies inside the input: the $Lx$L compares unrolled; the first maximum wins, the last NaN;",
                    w.kh(), w.kw());
            c.comment("no branches (half of them would be mispredicted): a conditional move for the cell, Math.max for the value,");
            c.comment("which compares as the winner does (it differs only in the sign of a zero)");
            openInsideWindows(c, w);
            c.line("float best = in[at]");
            c.line("int cell = at");
            for (int kh = 0; kh < w.kh(); kh++) {
                for (int kw = kh == 0 ? 1 : 0; kw < w.kw(); kw++) {
                    int off = kh * w.iw() + kw;
                    c.line("float v$L = in[at + $L]", off, off);
                    c.line("cell = v$L > best | v$L != v$L ? at + $L : cell", off, off, off, off);
                    c.line("best = Math.max(best, v$L)", off);
                }
            }
            c.line("argmax[o + oh * $L + ow] = cell", w.ow());
            c.close().close().close();
            return;
        }
        c.open("for (int nc = ncFirst; nc < ncEnd; nc++)");
        windowBounds(c, w);
        c.comment("padding never wins: only input cells are compared; the first maximum wins, NaN propagates");
        c.line("float best = Float.NEGATIVE_INFINITY");
        c.line("int at = i + hFirst * $L + wFirst", w.iw());
        c.open("for (int ih = hFirst; ih < hEnd; ih++)");
        c.open("for (int iw = wFirst; iw < wEnd; iw++)");
        c.line("float v = in[i + ih * $L + iw]", w.iw());
        c.open("if (v > best || v != v)").line("best = v").line("at = i + ih * $L + iw", w.iw()).close();
        c.close().close();
        c.line("argmax[o + oh * $L + ow] = at", w.ow());
        c.close().close().close();
    }

    /** Window bounds for average pooling, exactly as PyTorch's avg_pool2d computes them. */
    private static void avgWindow(Code c, Kernel.Pool k) {
        Kernel.Window w = k.w();
        c.line("int h0 = oh * $L - $L, h1 = Math.min(h0 + $L, $L)", w.sh(), w.padTop(), w.kh(), w.ih() + w.padBottom());
        c.line("int w0 = ow * $L - $L, w1 = Math.min(w0 + $L, $L)", w.sw(), w.padLeft(), w.kw(), w.iw() + w.padRight());
        if (k.countPadding()) {
            c.comment("divisor: the window clipped to the padded input (padding counts)");
            c.line("int count = (h1 - h0) * (w1 - w0)");
        }
        c.line("h0 = Math.max(h0, 0)");
        c.line("w0 = Math.max(w0, 0)");
        c.line("h1 = Math.min(h1, $L)", w.ih());
        c.line("w1 = Math.min(w1, $L)", w.iw());
        if (!k.countPadding()) {
            c.comment("divisor: the input cells the window covers (padding does not count)");
            c.line("int count = (h1 - h0) * (w1 - w0)");
        }
    }

    private static void avgPoolForward(Code c, Step s, Kernel.Pool k) {
        Kernel.Window w = k.w();
        c.line("final float[] in = $N, out = $N", s.in(), s.out());
        c.open("for (int nc = ncFirst; nc < ncEnd; nc++)");
        c.line("int i = nc * $L, o = nc * $L", w.ih() * w.iw(), w.oh() * w.ow());
        c.open("for (int oh = 0; oh < $L; oh++)", w.oh());
        c.open("for (int ow = 0; ow < $L; ow++)", w.ow());
        avgWindow(c, k);
        c.line("float sum = 0f");
        c.open("for (int ih = h0; ih < h1; ih++)");
        c.open("for (int iw = w0; iw < w1; iw++)").line("sum += in[i + ih * $L + iw]", w.iw()).close();
        c.close();
        c.line("out[o + oh * $L + ow] = sum / count", w.ow());
        c.close().close().close();
    }

    private static void avgPoolBackward(Code c, Kernel.Pool k) {
        Kernel.Window w = k.w();
        c.open("for (int nc = from * $L; nc < to * $L; nc++)", w.c(), w.c());
        c.line("int i = nc * $L, o = nc * $L", w.ih() * w.iw(), w.oh() * w.ow());
        c.open("for (int oh = 0; oh < $L; oh++)", w.oh());
        c.open("for (int ow = 0; ow < $L; ow++)", w.ow());
        avgWindow(c, k);
        c.line("float g = gOut[o + oh * $L + ow] / count", w.ow());
        c.open("for (int ih = h0; ih < h1; ih++)");
        c.open("for (int iw = w0; iw < w1; iw++)").line("gIn[i + ih * $L + iw] += g", w.iw()).close();
        c.close();
        c.close().close().close();
    }

    // ---- dense

    private static void denseForward(Code c, Step s, Kernel.Dense k) {
        c.line("final float[] in = $N, out = $N, weight = $N", s.in(), s.out(), s.tensor(Tensor.Role.WEIGHT).field());
        if (k.bias()) {
            c.line("final float[] bias = $N", s.tensor(Tensor.Role.BIAS).field());
        }
        c.comment("[$L x $L weights] x [$L inputs] for each image, the weights' rows read once for all the images", k.out(), k.in(), k.in());
        c.line("$T.matVecs(weight, 0, in, from * $L, $L, out, from * $L, $L, $L, $L, to - from)", KERNELS, k.in(), k.in(), k.out(), k.out(),
                k.out(), k.in());
        c.open("for (int n = from; n < to; n++)");
        c.line("int y = n * $L", k.out());
        if (k.bias() || (k.activation() != Activation.NONE && k.activation() != Activation.SOFTMAX)) {
            c.open("for (int j = 0; j < $L; j++)", k.out());
            if (k.bias()) {
                c.line("out[y + j] += bias[j]");
            }
            if (k.activation() != Activation.NONE && k.activation() != Activation.SOFTMAX) {
                activate(c, k.activation(), k.slope(), "out[y + j]");
            }
            c.close();
        }
        if (k.activation() == Activation.SOFTMAX) {
            c.line("$T.softmax(out, y, $L, 1)", KERNELS, k.out());
        }
        c.close();
    }

    private static void denseBackward(Code c, Step s, Kernel.Dense k) {
        c.line("final float[] in = $N, out = $N, gOut = $N, gIn = $N", s.in(), s.out(), s.outGrad(), s.inGrad());
        c.line("final float[] weight = $N, weightGrad = $N", s.tensor(Tensor.Role.WEIGHT).field(), s.tensor(Tensor.Role.WEIGHT).gradField());
        activationBackward(c, k.activation(), k.slope(), k.out(), k.out(), 1);
        if (k.bias()) {
            c.line("final float[] biasGrad = $N", s.tensor(Tensor.Role.BIAS).gradField());
            c.open("if (biasGrad != null)");
            c.line("java.util.Arrays.fill(biasGrad, 0f)");
            c.comment("d bias = the sum over the images of d out");
            c.open("for (int n = from; n < to; n++)").open("for (int j = 0; j < $L; j++)", k.out())
                    .line("biasGrad[j] += gOut[n * $L + j]", k.out()).close().close();
            c.close();
        }
        c.comment("d weight [$L x $L] = d out transposed [$L x batch] * in [batch x $L]: one product over the batch", k.out(), k.in(), k.out(), k.in());
        c.open("if (weightGrad != null)");
        c.line("java.util.Arrays.fill(weightGrad, 0f)");
        c.line("$T.gemm($L, $L, to - from, gOut, from * $L, 1, $L, in, from * $L, $L, weightGrad, 0, $L)", KERNELS, k.out(), k.in(), k.out(), k.out(), k.in(), k.in(), k.in());
        c.close();
        c.comment("d in [batch x $L] = d out [batch x $L] * weight [$L x $L]", k.in(), k.out(), k.out(), k.in());
        c.open("if (gIn != null)");
        c.line("java.util.Arrays.fill(gIn, from * $L, to * $L, 0f)", k.in(), k.in());
        c.line("$T.gemm(to - from, $L, $L, gOut, from * $L, $L, 1, weight, 0, $L, gIn, from * $L, $L)", KERNELS, k.in(), k.out(), k.out(), k.out(), k.in(), k.in(), k.in());
        c.close();
    }

    // ---- upsampling (bilinear: PyTorch's half-pixel centres, align_corners = False; written as gathers)

    /** Declares {@code <v>0, <v>1, l<v>} for output coordinate {@code v} along a dimension of {@code in} inputs scaled by {@code s}. */
    private static void bilinearSource(Code c, String v, int s, int in) {
        c.line("double s$L = Math.max(($L + 0.5) / $L - 0.5, 0.0)", v, v, s);
        c.line("int $L0 = (int) s$L, $L1 = $L0 < $L ? $L0 + 1 : $L0", v, v, v, v, in - 1, v, v);
        c.line("double l$L = s$L - $L0", v, v, v);
    }

    private static void upsampleForward(Code c, Step s, Kernel.Upsample u) {
        int oh = u.ih() * u.sh();
        int ow = u.iw() * u.sw();
        c.line("final float[] in = $N, out = $N", s.in(), s.out());
        c.open("for (int nc = from * $L; nc < to * $L; nc++)", u.channels(), u.channels());
        c.line("int i = nc * $L, o = nc * $L", u.ih() * u.iw(), oh * ow);
        c.open("for (int y = 0; y < $L; y++)", oh);
        if (u.bilinear()) {
            bilinearSource(c, "y", u.sh(), u.ih());
        }
        c.open("for (int x = 0; x < $L; x++)", ow);
        if (u.bilinear()) {
            bilinearSource(c, "x", u.sw(), u.iw());
            c.line("out[o + y * $L + x] = (float) ((1 - ly) * ((1 - lx) * in[i + y0 * $L + x0] + lx * in[i + y0 * $L + x1])"
                    + " + ly * ((1 - lx) * in[i + y1 * $L + x0] + lx * in[i + y1 * $L + x1]))", ow, u.iw(), u.iw(), u.iw(), u.iw());
        } else {
            c.line("out[o + y * $L + x] = in[i + y / $L * $L + x / $L]", ow, u.sh(), u.iw(), u.sw());
        }
        c.close().close().close();
    }

    private static void upsampleBackward(Code c, Step s, Kernel.Upsample u) {
        int oh = u.ih() * u.sh();
        int ow = u.iw() * u.sw();
        c.line("final float[] gOut = $N, gIn = $N", s.outGrad(), s.inGrad());
        c.line("if (gIn == null) return");
        c.comment("each input value gathers the gradients of the outputs computed from it, with the same weights");
        c.open("for (int nc = from * $L; nc < to * $L; nc++)", u.channels(), u.channels());
        c.line("int i = nc * $L, o = nc * $L", u.ih() * u.iw(), oh * ow);
        c.open("for (int iy = 0; iy < $L; iy++)", u.ih());
        c.open("for (int ix = 0; ix < $L; ix++)", u.iw());
        c.line("double acc = 0");
        if (u.bilinear()) {
            c.open("for (int y = Math.max(0, (iy - 1) * $L); y < Math.min($L, (iy + 2) * $L); y++)", u.sh(), oh, u.sh());
            bilinearSource(c, "y", u.sh(), u.ih());
            c.line("double wy = (y0 == iy ? 1 - ly : 0) + (y1 == iy ? ly : 0)");
            c.line("if (wy == 0) continue");
            c.open("for (int x = Math.max(0, (ix - 1) * $L); x < Math.min($L, (ix + 2) * $L); x++)", u.sw(), ow, u.sw());
            bilinearSource(c, "x", u.sw(), u.iw());
            c.line("double wx = (x0 == ix ? 1 - lx : 0) + (x1 == ix ? lx : 0)");
            c.line("acc += wy * wx * gOut[o + y * $L + x]", ow);
            c.close().close();
        } else {
            c.open("for (int a = 0; a < $L; a++)", u.sh()).open("for (int b = 0; b < $L; b++)", u.sw())
                    .line("acc += gOut[o + (iy * $L + a) * $L + ix * $L + b]", u.sh(), ow, u.sw()).close().close();
        }
        c.line("gIn[i + iy * $L + ix] = (float) acc", u.iw());
        c.close().close().close();
    }

    // ---- transposed convolution (gathers: each output and each gradient summed where it is written)

    private static void convTransposeForward(Code c, Step s, Kernel.ConvTranspose t) {
        c.line("final float[] in = $N, out = $N, weight = $N", s.in(), s.out(), s.tensor(Tensor.Role.WEIGHT).field());
        if (t.bias()) {
            c.line("final float[] bias = $N", s.tensor(Tensor.Role.BIAS).field());
        }
        c.open("for (int n = from; n < to; n++)");
        c.open("for (int o = 0; o < $L; o++)", t.outChannels());
        c.line("int g = o / $L, og = o % $L", t.outPerGroup(), t.outPerGroup());
        c.open("for (int y = 0; y < $L; y++)", t.oh());
        c.open("for (int x = 0; x < $L; x++)", t.ow());
        c.line("float acc = $L", t.bias() ? "bias[o]" : "0f");
        c.open("for (int ci = g * $L; ci < (g + 1) * $L; ci++)", t.inPerGroup(), t.inPerGroup());
        c.open("for (int ky = 0; ky < $L; ky++)", t.kh());
        c.line("int ty = y + $L - ky * $L", t.ph(), t.dh());
        c.line("if (ty < 0 || ty % $L != 0 || ty / $L >= $L) continue", t.sh(), t.sh(), t.ih());
        c.open("for (int kx = 0; kx < $L; kx++)", t.kw());
        c.line("int tx = x + $L - kx * $L", t.pw(), t.dw());
        c.line("if (tx < 0 || tx % $L != 0 || tx / $L >= $L) continue", t.sw(), t.sw(), t.iw());
        c.line("acc += in[((n * $L + ci) * $L + ty / $L) * $L + tx / $L] * weight[((ci * $L + og) * $L + ky) * $L + kx]",
                t.c(), t.ih(), t.sh(), t.iw(), t.sw(), t.outPerGroup(), t.kh(), t.kw());
        c.close().close().close();
        if (t.activation() != Activation.NONE && t.activation() != Activation.SOFTMAX) {
            activate(c, t.activation(), t.slope(), "acc");
        }
        c.line("out[((n * $L + o) * $L + y) * $L + x] = acc", t.outChannels(), t.oh(), t.ow());
        c.close().close().close().close();
        if (t.activation() == Activation.SOFTMAX) {
            c.open("for (int n = from; n < to; n++)").line("$T.softmax(out, n * $L, $L, $L)", KERNELS, t.outSize(), t.outChannels(), t.oh() * t.ow()).close();
        }
    }

    private static void convTransposeBackward(Code c, Step s, Kernel.ConvTranspose t) {
        Tensor weight = s.tensor(Tensor.Role.WEIGHT);
        c.line("final float[] in = $N, out = $N, gOut = $N, gIn = $N, weight = $N, weightGrad = $N", s.in(), s.out(), s.outGrad(), s.inGrad(),
                weight.field(), weight.gradField());
        activationBackward(c, t.activation(), t.slope(), t.outSize(), t.outChannels(), t.oh() * t.ow());
        c.comment("d weight [ci, og, ky, kx]: every input value times the gradient of the output it reached");
        c.open("if (weightGrad != null)");
        c.open("for (int ci = 0; ci < $L; ci++)", t.c());
        c.line("int g = ci / $L", t.inPerGroup());
        c.open("for (int og = 0; og < $L; og++)", t.outPerGroup());
        c.open("for (int ky = 0; ky < $L; ky++)", t.kh());
        c.open("for (int kx = 0; kx < $L; kx++)", t.kw());
        c.line("double acc = 0");
        c.open("for (int n = from; n < to; n++)");
        c.open("for (int iy = 0; iy < $L; iy++)", t.ih());
        c.line("int y = iy * $L - $L + ky * $L", t.sh(), t.ph(), t.dh());
        c.line("if (y < 0 || y >= $L) continue", t.oh());
        c.open("for (int ix = 0; ix < $L; ix++)", t.iw());
        c.line("int x = ix * $L - $L + kx * $L", t.sw(), t.pw(), t.dw());
        c.line("if (x < 0 || x >= $L) continue", t.ow());
        c.line("acc += in[((n * $L + ci) * $L + iy) * $L + ix] * gOut[((n * $L + g * $L + og) * $L + y) * $L + x]",
                t.c(), t.ih(), t.iw(), t.outChannels(), t.outPerGroup(), t.oh(), t.ow());
        c.close().close().close();
        c.line("weightGrad[((ci * $L + og) * $L + ky) * $L + kx] = (float) acc", t.outPerGroup(), t.kh(), t.kw());
        c.close().close().close().close().close();
        if (t.bias()) {
            c.line("final float[] biasGrad = $N", s.tensor(Tensor.Role.BIAS).gradField());
            c.open("for (int o = 0; biasGrad != null && o < $L; o++)", t.outChannels());
            c.line("double acc = 0");
            c.open("for (int n = from; n < to; n++)").open("for (int p = 0; p < $L; p++)", t.oh() * t.ow())
                    .line("acc += gOut[(n * $L + o) * $L + p]", t.outChannels(), t.oh() * t.ow()).close().close();
            c.line("biasGrad[o] = (float) acc");
            c.close();
        }
        c.line("if (gIn == null) return");
        c.comment("d input: each input value gathers the gradients of the outputs it reached");
        c.open("for (int n = from; n < to; n++)");
        c.open("for (int ci = 0; ci < $L; ci++)", t.c());
        c.line("int g = ci / $L", t.inPerGroup());
        c.open("for (int iy = 0; iy < $L; iy++)", t.ih());
        c.open("for (int ix = 0; ix < $L; ix++)", t.iw());
        c.line("float acc = 0f");
        c.open("for (int og = 0; og < $L; og++)", t.outPerGroup());
        c.open("for (int ky = 0; ky < $L; ky++)", t.kh());
        c.line("int y = iy * $L - $L + ky * $L", t.sh(), t.ph(), t.dh());
        c.line("if (y < 0 || y >= $L) continue", t.oh());
        c.open("for (int kx = 0; kx < $L; kx++)", t.kw());
        c.line("int x = ix * $L - $L + kx * $L", t.sw(), t.pw(), t.dw());
        c.line("if (x < 0 || x >= $L) continue", t.ow());
        c.line("acc += gOut[((n * $L + g * $L + og) * $L + y) * $L + x] * weight[((ci * $L + og) * $L + ky) * $L + kx]",
                t.outChannels(), t.outPerGroup(), t.oh(), t.ow(), t.outPerGroup(), t.kh(), t.kw());
        c.close().close().close();
        c.line("gIn[((n * $L + ci) * $L + iy) * $L + ix] = acc", t.c(), t.ih(), t.iw());
        c.close().close().close().close();
    }

    // ---- activations

    /** {@code target = f(target)} for an element-wise activation. */
    private static void activate(Code c, Activation a, float slope, String target) {
        switch (a) {
            case RELU -> c.line("$L = Math.max($L, 0f)", target, target); // NaN stays NaN; branch-free, C2 vectorises it
            case LEAKY_RELU -> c.line("if ($L < 0f) $L *= $Lf", target, target, slope);
            case RELU6 -> c.line("$L = $L < 0f ? 0f : $L > 6f ? 6f : $L", target, target, target, target); // NaN stays NaN
            case SIGMOID -> c.line("$L = (float) (1.0 / (1.0 + Math.exp(-$L)))", target, target);
            case TANH -> c.line("$L = (float) Math.tanh($L)", target, target);
            default -> throw new IllegalArgumentException(a + " is not element-wise");
        }
    }

    /**
     * In place on {@code gOut}: multiply by the fused activation's derivative, computed from the layer's output
     * {@code out}. {@code size} values per image, softmax over {@code channels} at {@code plane} positions.
     */
    private static void activationBackward(Code c, Activation a, float slope, int size, int channels, int plane) {
        if (a == Activation.NONE) {
            return;
        }
        c.comment("through the fused $L: d pre-activation = d output * f'(output)", a.name().toLowerCase(java.util.Locale.ROOT));
        if (a == Activation.SOFTMAX) {
            c.open("for (int n = from; n < to; n++)");
            c.line("$T.softmaxBackward(out, gOut, gOut, n * $L, $L, $L)", KERNELS, size, channels, plane);
            c.close();
            return;
        }
        if (a == Activation.RELU) {
            c.line("$T.reluBackward(out, gOut, from * $L, to * $L)", KERNELS, size, size);
            return;
        }
        c.open("for (int p = from * $L; p < to * $L; p++)", size, size);
        switch (a) {
            case LEAKY_RELU -> c.line("if (out[p] <= 0f) gOut[p] *= $Lf", slope);
            case RELU6 -> c.line("if (out[p] <= 0f || out[p] >= 6f) gOut[p] = 0f");
            case SIGMOID -> c.line("gOut[p] *= out[p] * (1f - out[p])");
            case TANH -> c.line("gOut[p] *= 1f - out[p] * out[p]");
            default -> throw new IllegalArgumentException(a.name());
        }
        c.close();
    }

    private static void actForward(Code c, Step s, Kernel.Act a) {
        c.line("final float[] in = $N, out = $N", s.in(), s.out());
        c.open("for (int p = first; p < end; p++)");
        c.line("float v = in[p]");
        switch (a.activation()) {
            case RELU -> c.line("out[p] = Math.max(v, 0f)"); // NaN stays NaN, as in PyTorch; branch-free
            case LEAKY_RELU -> c.line("out[p] = v < 0f ? $Lf * v : v", a.slope());
            case RELU6 -> c.line("out[p] = v < 0f ? 0f : v > 6f ? 6f : v");
            case SIGMOID -> c.line("out[p] = (float) (1.0 / (1.0 + Math.exp(-v)))");
            case TANH -> c.line("out[p] = (float) Math.tanh(v)");
            default -> throw new IllegalArgumentException(a.activation().name());
        }
        c.close();
    }

    private static void addForward(Code c, Step s, Kernel.Add add) {
        c.line("final float[] out = $N", s.out());
        for (int i = 0; i < s.ins().size(); i++) {
            c.line("final float[] in$L = $N", i, s.ins().get(i));
        }
        StringBuilder sum = new StringBuilder("in0[i]");
        for (int i = 1; i < s.ins().size(); i++) {
            sum.append(" + in").append(i).append("[i]");
        }
        c.open("for (int i = first; i < end; i++)");
        c.line("float v = $L", sum);
        if (add.activation() != Activation.NONE) {
            activate(c, add.activation(), add.slope(), "v");
        }
        c.line("out[i] = v");
        c.close();
    }

    private static void actBackward(Code c, Step s, Kernel.Act a) {
        c.line("final float[] in = $N, out = $N, gOut = $N, gIn = $N", s.in(), s.out(), s.outGrad(), s.inGrad());
        c.line("if (gIn == null) return");
        if (a.activation() == Activation.SOFTMAX) {
            c.open("for (int n = from; n < to; n++)");
            c.line("$T.softmaxBackward(out, gOut, gIn, n * $L, $L, $L)", KERNELS, a.inSize(), a.channels(), a.plane());
            c.close();
            return;
        }
        c.open("for (int p = from * $L; p < to * $L; p++)", a.inSize(), a.inSize());
        switch (a.activation()) {
            case RELU -> c.line("gIn[p] = in[p] > 0f ? gOut[p] : 0f");
            case LEAKY_RELU -> c.line("gIn[p] = in[p] > 0f ? gOut[p] : $Lf * gOut[p]", a.slope());
            case RELU6 -> c.line("gIn[p] = in[p] > 0f && in[p] < 6f ? gOut[p] : 0f");
            case SIGMOID -> c.line("gIn[p] = gOut[p] * out[p] * (1f - out[p])");
            case TANH -> c.line("gIn[p] = gOut[p] * (1f - out[p] * out[p])");
            default -> throw new IllegalArgumentException(a.activation().name());
        }
        c.close();
    }

    // ---- batch normalization

    /**
     * The body of batch norm's {@code <name>Channels(from, to, c0, c1, trained)}: channels {@code [c0, c1)} of images
     * {@code [from, to)}, with batch statistics ({@code trained}) or the running ones.
     */
    static Code batchNormChannels(Step s, Kernel.BatchNorm k, boolean inferenceOnly) {
        Code c = new Code();
        if (inferenceOnly) {
            batchNormInference(c, s, k);
        } else {
            batchNormForward(c, s, k);
        }
        return c;
    }

    /**
     * Batch norm in an inference-only engine: the running statistics, nothing kept for a backward pass. The same
     * arithmetic as the evaluation mode of an engine that trains, so both give the same bits.
     */
    private static void batchNormInference(Code c, Step s, Kernel.BatchNorm k) {
        String n = s.name();
        int cs = k.channels() * k.plane();
        c.line("final float[] in = $N, out = $N", s.in(), s.out());
        c.line("final float[] gamma = $N, beta = $N, runningMean = $N, runningVar = $N", n + "Weight", n + "Bias", n + "RunningMean", n + "RunningVar");
        c.open("for (int ch = c0; ch < c1; ch++)");
        c.line("float mean = runningMean[ch]");
        c.line("float is = (float) (1.0 / Math.sqrt(runningVar[ch] + $L))", k.epsilon());
        c.line("float g = gamma[ch], bt = beta[ch]");
        c.open("for (int b = from; b < to; b++)");
        c.line("int base = b * $L + ch * $L", cs, k.plane());
        c.open("for (int p = base; p < base + $L; p++)", k.plane());
        c.line("out[p] = g * ((in[p] - mean) * is) + bt");
        c.close().close().close();
    }

    /**
     * Whether {@code s}'s forward pass splits one image's values among the worker threads at batch 1 (see
     * {@link #splitItems}): element-wise activations, sums and batch norm, and pooling layers of at least
     * {@code 4 * SPLIT_CHUNK} output values an image.
     */
    static boolean splitsImage(Step s) {
        Kernel k = s.kernel();
        return k instanceof Kernel.Act a && a.activation() != Activation.SOFTMAX || k instanceof Kernel.Add || k instanceof Kernel.BatchNorm
                || k instanceof Kernel.Pool p && p.w().c() >= 2 && p.outSize() >= 4 * SPLIT_CHUNK;
    }

    /** Values per item of a split element-wise layer: small enough to share, large enough to pay for the hand-over. */
    static final int SPLIT_CHUNK = 8192;

    /**
     * How many items a split layer's image is cut into: batch norm's and pooling's channels, or chunks of {@link #SPLIT_CHUNK}
     * values; 1 (no split) for an image of fewer than {@code 4 * SPLIT_CHUNK} values, where handing it over would cost
     * more than it saves.
     */
    static int splitItems(Step s) {
        Kernel k = s.kernel();
        int size = k.outSize();
        if (size < 4 * SPLIT_CHUNK) {
            return 1;
        }
        return k instanceof Kernel.BatchNorm bn ? bn.channels() : k instanceof Kernel.Pool p ? p.w().c() : (size + SPLIT_CHUNK - 1) / SPLIT_CHUNK;
    }

    /** The body of an element-wise layer's {@code <name>Values(first, end)}: values {@code [first, end)} of its output. */
    static Code elementValues(Step s) {
        Code c = new Code();
        if (s.kernel() instanceof Kernel.Act a) {
            actForward(c, s, a);
        } else {
            addForward(c, s, (Kernel.Add) s.kernel());
        }
        return c;
    }

    private static void batchNormForward(Code c, Step s, Kernel.BatchNorm k) {
        String n = s.name();
        int cs = k.channels() * k.plane();
        c.line("final float[] in = $N, out = $N, xhat = $N, invStd = $N", s.in(), s.out(), n + "Xhat", n + "InvStd");
        c.line("final float[] gamma = $N, beta = $N, runningMean = $N, runningVar = $N", n + "Weight", n + "Bias", n + "RunningMean", n + "RunningVar");
        c.line("final int m = (to - from) * $L", k.plane());
        c.open("for (int ch = c0; ch < c1; ch++)");
        c.line("float mean, is");
        c.open("if (trained)");
        c.comment("batch statistics over the $L values of channel ch (biased variance normalises, as in PyTorch)", "batch*" + k.plane());
        c.line("double sum = 0");
        c.open("for (int b = from; b < to; b++)");
        c.line("int base = b * $L + ch * $L", cs, k.plane());
        c.open("for (int p = 0; p < $L; p++)", k.plane()).line("sum += in[base + p]").close();
        c.close();
        c.line("double mu = sum / m");
        c.line("double sq = 0");
        c.open("for (int b = from; b < to; b++)");
        c.line("int base = b * $L + ch * $L", cs, k.plane());
        c.open("for (int p = 0; p < $L; p++)", k.plane()).line("double d = in[base + p] - mu").line("sq += d * d").close();
        c.close();
        c.line("double var = sq / m");
        c.line("mean = (float) mu");
        c.line("is = (float) (1.0 / Math.sqrt(var + $L))", k.epsilon());
        c.line("invStd[ch] = is");
        c.comment("running statistics: unbiased variance, momentum $L", k.momentum());
        c.line("runningMean[ch] = (float) ((1 - $L) * runningMean[ch] + $L * mu)", k.momentum(), k.momentum());
        c.line("runningVar[ch] = (float) ((1 - $L) * runningVar[ch] + $L * (m > 1 ? var * m / (m - 1) : var))", k.momentum(), k.momentum());
        c.orElse("else");
        c.line("mean = runningMean[ch]");
        c.line("is = (float) (1.0 / Math.sqrt(runningVar[ch] + $L))", k.epsilon());
        c.line("if (from == 0) invStd[ch] = is");
        c.close();
        c.line("float g = gamma[ch], bt = beta[ch]");
        c.open("for (int b = from; b < to; b++)");
        c.line("int base = b * $L + ch * $L", cs, k.plane());
        c.open("for (int p = base; p < base + $L; p++)", k.plane());
        c.line("float xh = (in[p] - mean) * is");
        c.line("xhat[p] = xh");
        c.line("out[p] = g * xh + bt");
        c.close().close().close();
    }

    private static void batchNormBackward(Code c, Step s, Kernel.BatchNorm k) {
        String n = s.name();
        int cs = k.channels() * k.plane();
        c.line("final float[] gOut = $N, gIn = $N, xhat = $N, invStd = $N", s.outGrad(), s.inGrad(), n + "Xhat", n + "InvStd");
        c.line("final float[] gamma = $N, gammaGrad = $N, betaGrad = $N", n + "Weight", n + "WeightGrad", n + "BiasGrad");
        c.line("final int m = (to - from) * $L", k.plane());
        c.open("for (int ch = 0; ch < $L; ch++)", k.channels());
        c.line("double sg = 0, sgx = 0");
        c.open("for (int b = from; b < to; b++)");
        c.line("int base = b * $L + ch * $L", cs, k.plane());
        c.open("for (int p = base; p < base + $L; p++)", k.plane()).line("sg += gOut[p]").line("sgx += gOut[p] * xhat[p]").close();
        c.close();
        c.line("betaGrad[ch] = (float) sg");
        c.line("gammaGrad[ch] = (float) sgx");
        c.line("if (gIn == null) continue");
        c.open("if ($N)", n + "Trained");
        c.comment("through the batch statistics: dx = gamma*invStd/m * (m*dy - sum(dy) - xhat*sum(dy*xhat))");
        c.line("float k = gamma[ch] * invStd[ch] / m");
        c.line("float a = (float) sg, bb = (float) sgx");
        c.open("for (int b = from; b < to; b++)");
        c.line("int base = b * $L + ch * $L", cs, k.plane());
        c.open("for (int p = base; p < base + $L; p++)", k.plane()).line("gIn[p] = k * (m * gOut[p] - a - xhat[p] * bb)").close();
        c.close();
        c.orElse("else");
        c.comment("running statistics are constants in evaluation mode");
        c.line("float k = gamma[ch] * invStd[ch]");
        c.open("for (int b = from; b < to; b++)");
        c.line("int base = b * $L + ch * $L", cs, k.plane());
        c.open("for (int p = base; p < base + $L; p++)", k.plane()).line("gIn[p] = k * gOut[p]").close();
        c.close();
        c.close().close();
    }
}
