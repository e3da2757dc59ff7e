package dev.strider.processor.lower;

import dev.strider.dsl.Activation;
import dev.strider.processor.model.Sizes;

/**
 * One layer lowered to fixed integer constants: everything a renderer (Java now, CUDA later) needs to emit its
 * forward and backward loops, with the semantics (padding offsets, window bounds, divisors, statistics) decided
 * here once. Sizes are per image; the batch is the only run-time variable.
 */
public sealed interface Kernel {

    /** Values per image of the input and output. */
    int inSize();

    int outSize();

    /**
     * Sliding-window geometry shared by convolution and pooling: input {@code [c, ih, iw]}, output {@code [oh, ow]},
     * window {@code kh x kw}, stride, dilation, and the padding on each side (the bottom/right bound the windows of
     * average pooling).
     */
    record Window(int c, int ih, int iw, int oh, int ow, int kh, int kw, int sh, int sw, int dh, int dw,
                  int padTop, int padLeft, int padBottom, int padRight) {
        /** The output-size arithmetic for the rows, e.g. {@code (28 + 2 + 2 - 5)/1 + 1 = 28}. */
        public String rowsFormula() {
            return formula(ih, padTop, padBottom, dh * (kh - 1) + 1, sh, oh);
        }

        public String columnsFormula() {
            return formula(iw, padLeft, padRight, dw * (kw - 1) + 1, sw, ow);
        }

        private static String formula(int in, int before, int after, int eff, int stride, int out) {
            int num = in + before + after - eff;
            String exact = num % stride == 0 ? "" : " (rounded " + (Math.floorDiv(num, stride) + 1 == out ? "down" : "up") + ")";
            return "(" + in + " + " + before + " + " + after + " - " + eff + ")/" + stride + " + 1 = " + out + exact;
        }

    }

    /** Convolution with {@code groups} groups and an optional fused activation. */
    record Conv(Window w, int outChannels, int groups, boolean bias, Activation activation, float slope) implements Kernel {
        public int inPerGroup() {
            return w.c() / groups;
        }

        public int outPerGroup() {
            return outChannels / groups;
        }

        public int weightSize() {
            return outChannels * inPerGroup() * w.kh() * w.kw();
        }

        /** The padded input's rows some output reads: {@code (oh - 1)*sh + (kh - 1)*dh + 1}. */
        public int paddedRows() {
            return (w.oh() - 1) * w.sh() + (w.kh() - 1) * w.dh() + 1;
        }

        /** The padded input's columns some output reads. */
        public int paddedColumns() {
            return (w.ow() - 1) * w.sw() + (w.kw() - 1) * w.dw() + 1;
        }

        /**
         * Whether the forward product reads its input in place (the runtime's {@code ImplicitConv}): stride 1 and no
         * padding reached.
         */
        public boolean readsInPlace() {
            return w.sh() == 1 && w.sw() == 1 && w.padTop() == 0 && w.padLeft() == 0 && paddedRows() <= w.ih() && paddedColumns() <= w.iw();
        }

        /**
         * Floats of the forward product's source for one image and group ({@code ImplicitConv.sourceLength()}, which
         * checks it): 0 when it reads the input in place, else each input channel zero-padded and split into the
         * stride's phases that some tap reads, each phase {@code ceil(rows / sh) x ceil(columns / sw)}.
         */
        public long sourceLength() {
            if (readsInPlace()) {
                return 0;
            }
            long phH = (paddedRows() + w.sh() - 1) / w.sh();
            long phW = (paddedColumns() + w.sw() - 1) / w.sw();
            return Sizes.mul(inPerGroup(), phases(w.kh(), w.dh(), w.sh()) * phases(w.kw(), w.dw(), w.sw()), Sizes.mul(phH, phW));
        }

        /** Whether the source is split into the stride's phases (a stride over 1 in either direction). */
        public boolean phaseSplit() {
            return w.sh() > 1 || w.sw() > 1;
        }

        /** The distinct offsets mod {@code stride} of a kernel of {@code k} taps dilated by {@code d}. */
        private static long phases(int k, int d, int stride) {
            return java.util.stream.IntStream.range(0, k).map(i -> i * d % stride).distinct().count();
        }

        @Override
        public int inSize() {
            return w.c() * w.ih() * w.iw();
        }

        @Override
        public int outSize() {
            return outChannels * w.oh() * w.ow();
        }
    }

    /**
     * Max or average pooling. Average pooling divides by the window clipped to the padded input when
     * {@code countPadding} (PyTorch's {@code count_include_pad}), else by the number of input cells it covers.
     */
    record Pool(Window w, boolean max, boolean countPadding) implements Kernel {
        @Override
        public int inSize() {
            return w.c() * w.ih() * w.iw();
        }

        @Override
        public int outSize() {
            return w.c() * w.oh() * w.ow();
        }
    }

    /** L2 pooling: the square root of each window's sum of squares (padding adds nothing). */
    record L2Pool(Window w) implements Kernel {
        @Override
        public int inSize() {
            return w.c() * w.ih() * w.iw();
        }

        @Override
        public int outSize() {
            return w.c() * w.oh() * w.ow();
        }
    }

    /** Mean over each channel's {@code plane} values. */
    record GlobalAvgPool(int channels, int plane) implements Kernel {
        @Override
        public int inSize() {
            return channels * plane;
        }

        @Override
        public int outSize() {
            return channels;
        }
    }

    /** {@code out = W in + b}, weight {@code [out, in]}. */
    record Dense(int in, int out, boolean bias, Activation activation, float slope) implements Kernel {
        @Override
        public int inSize() {
            return in;
        }

        @Override
        public int outSize() {
            return out;
        }
    }

    /**
     * An activation of its own. Softmax normalises over {@code channels} values at each of {@code plane} positions
     * (for a flat input: over all values, {@code plane = 1}).
     */
    record Act(Activation activation, float slope, int channels, int plane) implements Kernel {
        @Override
        public int inSize() {
            return channels * plane;
        }

        @Override
        public int outSize() {
            return channels * plane;
        }
    }

    /** Batch normalisation over {@code channels}, each with {@code plane} values per image. */
    record BatchNorm(int channels, int plane, float epsilon, float momentum) implements Kernel {
        @Override
        public int inSize() {
            return channels * plane;
        }

        @Override
        public int outSize() {
            return channels * plane;
        }
    }

    /** Inverted dropout. */
    record Dropout(int size, float rate) implements Kernel {
        @Override
        public int inSize() {
            return size;
        }

        @Override
        public int outSize() {
            return size;
        }
    }

    /**
     * A layer that moves no data but must own its output: a network of pass-through layers only would otherwise hand
     * the caller's input array back as its output buffer.
     */
    record Copy(int size, String why) implements Kernel {
        @Override
        public int inSize() {
            return size;
        }

        @Override
        public int outSize() {
            return size;
        }
    }

    /** A layer that moves no data (flatten; a trailing softmax fused into the loss): its output aliases its input. */
    record Alias(int size, String why) implements Kernel {
        @Override
        public int inSize() {
            return size;
        }

        @Override
        public int outSize() {
            return size;
        }
    }

    /**
     * Transposed convolution from {@code [c, ih, iw]} to {@code [outChannels, oh, ow]}: input {@code (iy, ix)} reaches
     * output {@code (iy * sh - ph + ky * dh, ix * sw - pw + kx * dw)} through weight {@code [c, o % outPerGroup, ky, kx]}.
     * Every loop is written as a gather (each output, and each gradient, summed where it is written).
     */
    record ConvTranspose(int c, int ih, int iw, int outChannels, int oh, int ow, int kh, int kw, int sh, int sw, int dh, int dw,
            int ph, int pw, int groups, boolean bias, Activation activation, float slope) implements Kernel {
        public int inPerGroup() {
            return c / groups;
        }

        public int outPerGroup() {
            return outChannels / groups;
        }

        public int weightSize() {
            return c * outPerGroup() * kh * kw;
        }

        @Override
        public int inSize() {
            return c * ih * iw;
        }

        @Override
        public int outSize() {
            return outChannels * oh * ow;
        }
    }

    /**
     * Upsampling of {@code channels} maps {@code ih x iw} by {@code sh x sw}: nearest (each output takes
     * {@code in[y / sh][x / sw]}) or bilinear with PyTorch's half-pixel centres ({@code align_corners = False}).
     */
    record Upsample(int channels, int ih, int iw, int sh, int sw, boolean bilinear) implements Kernel {
        @Override
        public int inSize() {
            return channels * ih * iw;
        }

        @Override
        public int outSize() {
            return channels * ih * sh * iw * sw;
        }
    }

    /** Adaptive average pooling of {@code channels} maps {@code ih x iw} to {@code oh x ow} bins. */
    record AdaptivePool(int channels, int ih, int iw, int oh, int ow) implements Kernel {
        @Override
        public int inSize() {
            return channels * ih * iw;
        }

        @Override
        public int outSize() {
            return channels * oh * ow;
        }
    }

    /** Channel shuffle: output channel {@code i * groups + j} is input channel {@code j * (channels / groups) + i}. */
    record Shuffle(int channels, int plane, int groups) implements Kernel {
        @Override
        public int inSize() {
            return channels * plane;
        }

        @Override
        public int outSize() {
            return channels * plane;
        }

        /** The input channel of output channel {@code o}, as a Java or C expression of {@code o}. */
        public String source(String o) {
            int per = channels / groups;
            return "(" + o + " % " + groups + " * " + per + " + " + o + " / " + groups + ")";
        }
    }

    /**
     * Local response normalization over {@code channels} at {@code plane} positions: {@code out = in * scale^-beta},
     * {@code scale = k + alpha / size * (sum of squares of channels c - size/2 .. c + (size-1)/2)}; the scale is kept.
     */
    record Lrn(int channels, int plane, int size, double alpha, double beta, double k) implements Kernel {
        @Override
        public int inSize() {
            return channels * plane;
        }

        @Override
        public int outSize() {
            return channels * plane;
        }

        /** The first channel of channel c's window (may be negative: those are zero). */
        public int before() {
            return size / 2;
        }

        /** How far the window reaches past channel c. */
        public int after() {
            return (size - 1) / 2;
        }
    }

    /** Element-wise sum of {@code count} inputs of {@code size} values per image, with an optional activation. */
    record Add(int size, int count, Activation activation, float slope) implements Kernel {
        @Override
        public int inSize() {
            return size;
        }

        @Override
        public int outSize() {
            return size;
        }
    }

    /**
     * Channel concatenation: input k has {@code channels.get(k)} channels of {@code plane} values per image and lands
     * at channel {@code offset(k)} of the output (flat inputs: {@code plane} 1, a "channel" per value).
     */
    record Concat(java.util.List<Integer> channels, int plane) implements Kernel {
        public Concat {
            channels = java.util.List.copyOf(channels);
        }

        public int outChannels() {
            return channels.stream().mapToInt(Integer::intValue).sum();
        }

        public int offset(int k) {
            int o = 0;
            for (int i = 0; i < k; i++) {
                o += channels.get(i);
            }
            return o;
        }

        /** The first input's size (see {@link EnginePlan.Step#ins()} for the others). */
        @Override
        public int inSize() {
            return channels.get(0) * plane;
        }

        @Override
        public int outSize() {
            return outChannels() * plane;
        }
    }
}
