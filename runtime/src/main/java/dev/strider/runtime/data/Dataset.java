package dev.strider.runtime.data;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Labelled images in memory: {@code size()} images of {@code channels x height x width} floats (NCHW, image after
 * image) and one class index per image, from 0 to {@code classes - 1}.
 *
 * <p>A dataset does not copy the arrays it is given and hands out its own arrays from {@link #images()} and
 * {@link #labels()} (Fashion-MNIST's training images alone take 188 MB): treat them as read-only. The
 * transformations ({@link #normalized}, {@link #subset}, {@link #slice}) return new datasets.
 */
public final class Dataset {
    /** Fashion-MNIST's class names, by label. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private final float[] images;
    private final int[] labels;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;

    /**
     * A dataset over {@code images} ({@code labels.length * channels * height * width} floats) and {@code labels}
     * (each 0 to {@code classes - 1}); the arrays are not copied.
     */
    public Dataset(float[] images, int[] labels, int channels, int height, int width, int classes) {
        if (channels < 1 || height < 1 || width < 1 || classes < 1) {
            throw new IllegalArgumentException("channels, height, width and classes must be >= 1, but they are " + channels + ", "
                    + height + ", " + width + ", " + classes);
        }
        long expected = (long) labels.length * channels * height * width;
        if (images.length != expected) {
            throw new IllegalArgumentException(labels.length + " labels of " + channels + "x" + height + "x" + width + " images need "
                    + expected + " image values, but there are " + images.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", expected 0 to " + (classes - 1));
            }
        }
        this.images = images;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
    }

    /**
     * Fashion-MNIST from {@code dir} (see {@link DataLocation}): the 60,000 training images ({@code train-*}) or the
     * 10,000 test images ({@code t10k-*}), 1x28x28, pixels scaled to 0..1 (value / 255), 10 classes. Each file may be
     * plain or gzipped ({@code .gz}).
     */
    public static Dataset fashionMnist(Path dir, boolean train) throws IOException {
        String prefix = train ? "train" : "t10k";
        Path imagesFile = existing(dir, prefix + "-images-idx3-ubyte");
        Path labelsFile = existing(dir, prefix + "-labels-idx1-ubyte");
        Idx.Images images = Idx.readImages(imagesFile, Idx.Scale.UNIT);
        int[] labels = Idx.readLabels(labelsFile, FASHION_MNIST_CLASSES.size());
        if (labels.length != images.count()) {
            throw new MalformedDataException(labelsFile + " holds " + labels.length + " labels, but " + imagesFile + " holds "
                    + images.count() + " images");
        }
        return new Dataset(images.pixels(), labels, 1, images.rows(), images.columns(), FASHION_MNIST_CLASSES.size());
    }

    private static Path existing(Path dir, String name) throws NoSuchFileException {
        Path file = DataLocation.file(dir, name);
        if (file == null) {
            throw new NoSuchFileException(dir.resolve(name).toString(), null, "neither it nor " + name + ".gz exists in " + dir);
        }
        return file;
    }

    /** The number of images. */
    public int size() {
        return labels.length;
    }

    /** Channels per image. */
    public int channels() {
        return channels;
    }

    /** Rows per image. */
    public int height() {
        return height;
    }

    /** Columns per image. */
    public int width() {
        return width;
    }

    /** The number of classes; labels are 0 to {@code classes() - 1}. */
    public int classes() {
        return classes;
    }

    /** Values per image: {@code channels * height * width}. */
    public int imageSize() {
        return channels * height * width;
    }

    /** All images, NCHW (the dataset's own array: do not modify). */
    public float[] images() {
        return images;
    }

    /** All labels (the dataset's own array: do not modify). */
    public int[] labels() {
        return labels;
    }

    /** The label of image {@code index}. */
    public int label(int index) {
        return labels[index];
    }

    /** How many images each class has, by label. */
    public int[] classCounts() {
        int[] counts = new int[classes];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** {@code (x - mean) / std} for every value, in float; {@code std} finite and > 0. */
    public Dataset normalized(float mean, float std) {
        float[] means = new float[channels];
        float[] stds = new float[channels];
        Arrays.fill(means, mean);
        Arrays.fill(stds, std);
        return normalized(means, stds);
    }

    /** {@code (x - mean[c]) / std[c]} for every value of channel {@code c}, in float; one mean and std per channel. */
    public Dataset normalized(float[] mean, float[] std) {
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("normalization needs one mean and one std per channel (" + channels + "), but got "
                    + mean.length + " means and " + std.length + " stds");
        }
        for (int c = 0; c < channels; c++) {
            if (!Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("mean of channel " + c + " must be finite, but it is " + mean[c]);
            }
            if (!(std[c] > 0) || Float.isInfinite(std[c])) {
                throw new IllegalArgumentException("std of channel " + c + " must be finite and > 0, but it is " + std[c]);
            }
        }
        float[] out = new float[images.length];
        int plane = height * width;
        for (int i = 0, n = 0; n < size(); n++) {
            for (int c = 0; c < channels; c++) {
                float m = mean[c];
                float s = std[c];
                for (int end = i + plane; i < end; i++) {
                    out[i] = (images[i] - m) / s;
                }
            }
        }
        return new Dataset(out, labels, channels, height, width, classes);
    }

    /**
     * The images whose label is one of {@code keep}, in their order. Labels keep their values (and {@link #classes()}
     * stays), so a network trained on a subset still predicts over all classes.
     */
    public Dataset subset(int... keep) {
        boolean[] wanted = new boolean[classes];
        for (int k : keep) {
            if (k < 0 || k >= classes) {
                throw new IllegalArgumentException("subset class " + k + " is not a class: expected 0 to " + (classes - 1));
            }
            wanted[k] = true;
        }
        return filter(label -> wanted[label]);
    }

    /** The images whose label satisfies {@code byLabel}, in their order; labels and {@link #classes()} unchanged. */
    public Dataset filter(IntPredicate byLabel) {
        int count = 0;
        for (int label : labels) {
            if (byLabel.test(label)) {
                count++;
            }
        }
        int size = imageSize();
        float[] outImages = new float[count * size];
        int[] outLabels = new int[count];
        for (int n = 0, j = 0; n < labels.length; n++) {
            if (byLabel.test(labels[n])) {
                System.arraycopy(images, n * size, outImages, j * size, size);
                outLabels[j++] = labels[n];
            }
        }
        return new Dataset(outImages, outLabels, channels, height, width, classes);
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive), copied. */
    public Dataset slice(int from, int to) {
        if (from < 0 || to > size() || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of a dataset of " + size() + " images");
        }
        int size = imageSize();
        return new Dataset(Arrays.copyOfRange(images, from * size, to * size), Arrays.copyOfRange(labels, from, to),
                channels, height, width, classes);
    }

    @Override
    public String toString() {
        return "Dataset(" + size() + " images of " + channels + "x" + height + "x" + width + ", " + classes + " classes)";
    }
}
