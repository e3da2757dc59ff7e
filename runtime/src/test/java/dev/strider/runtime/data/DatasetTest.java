package dev.strider.runtime.data;

import static dev.strider.runtime.data.IdxFiles.gzip;
import static dev.strider.runtime.data.IdxFiles.images;
import static dev.strider.runtime.data.IdxFiles.labels;
import static dev.strider.runtime.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {
    @TempDir
    Path dir;

    /** Four 1x1x2 images: image n holds (n, n + 0.5); labels 0, 1, 2, 1. */
    private static Dataset four() {
        return new Dataset(new float[] {0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f}, new int[] {0, 1, 2, 1}, 1, 1, 2, 3);
    }

    @Test
    void describesItself() {
        Dataset d = four();
        assertEquals(4, d.size());
        assertEquals(2, d.imageSize());
        assertEquals(2, d.label(2));
        assertArrayEquals(new int[] {1, 2, 1}, d.classCounts());
        assertEquals("Dataset(4 images of 1x1x2, 3 classes)", d.toString());
    }

    @Test
    void rejectsInconsistentArrays() {
        assertEquals("3 labels of 1x2x2 images need 12 image values, but there are 11", assertThrows(IllegalArgumentException.class,
                () -> new Dataset(new float[11], new int[3], 1, 2, 2, 10)).getMessage());
        assertEquals("label 1 is 10, expected 0 to 9", assertThrows(IllegalArgumentException.class,
                () -> new Dataset(new float[2], new int[] {0, 10}, 1, 1, 1, 10)).getMessage());
        assertEquals("label 0 is -1, expected 0 to 9", assertThrows(IllegalArgumentException.class,
                () -> new Dataset(new float[1], new int[] {-1}, 1, 1, 1, 10)).getMessage());
        assertEquals("channels, height, width and classes must be >= 1, but they are 1, 0, 1, 10", assertThrows(
                IllegalArgumentException.class, () -> new Dataset(new float[0], new int[0], 1, 0, 1, 10)).getMessage());
    }

    @Test
    void normalizesEveryValue() {
        // (x - 1.5) / 0.5
        assertArrayEquals(new float[] {-3, -2, -1, 0, 1, 2, 3, 4}, four().normalized(1.5f, 0.5f).images());
    }

    @Test
    void normalizesPerChannel() {
        // two images of 2 channels x 1 x 2: channel 0 gets (x - 1) / 2, channel 1 gets (x - 10) / 5
        Dataset d = new Dataset(new float[] {1, 3, 10, 20, 5, -1, 0, 15}, new int[] {0, 1}, 2, 1, 2, 2);
        assertArrayEquals(new float[] {0, 1, 0, 2, 2, -1, -2, 1}, d.normalized(new float[] {1, 10}, new float[] {2, 5}).images());
        assertEquals("std of channel 1 must be finite and > 0, but it is 0.0", assertThrows(IllegalArgumentException.class,
                () -> d.normalized(new float[] {0, 0}, new float[] {1, 0})).getMessage());
        assertEquals("normalization needs one mean and one std per channel (2), but got 1 means and 1 stds",
                assertThrows(IllegalArgumentException.class, () -> d.normalized(new float[] {0}, new float[] {1})).getMessage());
        assertEquals("mean of channel 0 must be finite, but it is NaN",
                assertThrows(IllegalArgumentException.class, () -> d.normalized(Float.NaN, 1f)).getMessage());
    }

    @Test
    void subsetKeepsTheOrderAndTheLabels() {
        Dataset ones = four().subset(1);
        assertArrayEquals(new int[] {1, 1}, ones.labels());
        assertArrayEquals(new float[] {1, 1.5f, 3, 3.5f}, ones.images());
        assertEquals(3, ones.classes());
        Dataset notOne = four().filter(label -> label != 1);
        assertArrayEquals(new int[] {0, 2}, notOne.labels());
        assertArrayEquals(new float[] {0, 0.5f, 2, 2.5f}, notOne.images());
        assertEquals("subset class 3 is not a class: expected 0 to 2",
                assertThrows(IllegalArgumentException.class, () -> four().subset(0, 3)).getMessage());
    }

    @Test
    void slices() {
        Dataset middle = four().slice(1, 3);
        assertArrayEquals(new int[] {1, 2}, middle.labels());
        assertArrayEquals(new float[] {1, 1.5f, 2, 2.5f}, middle.images());
        assertEquals("slice [2, 5) of a dataset of 4 images",
                assertThrows(IndexOutOfBoundsException.class, () -> four().slice(2, 5)).getMessage());
    }

    @Test
    void loadsFashionMnistFilesPlainOrGzipped() throws IOException {
        // 3 images of 2x2 (bytes 0..11) and their labels; the test split mixes a gzipped and a plain file
        write(dir, "train-images-idx3-ubyte", images(3, 2, 2));
        write(dir, "train-labels-idx1-ubyte.gz", gzip(labels(7, 0, 9)));
        Dataset train = Dataset.fashionMnist(dir, true);
        assertEquals(3, train.size());
        assertEquals(1, train.channels());
        assertEquals(2, train.height());
        assertEquals(10, train.classes());
        assertArrayEquals(new int[] {7, 0, 9}, train.labels());
        assertEquals(11f / 255f, train.images()[11]);

        write(dir, "t10k-images-idx3-ubyte.gz", gzip(images(3, 2, 2)));
        write(dir, "t10k-labels-idx1-ubyte", labels(1, 2));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Dataset.fashionMnist(dir, false));
        assertEquals(dir.resolve("t10k-labels-idx1-ubyte") + " holds 2 labels, but " + dir.resolve("t10k-images-idx3-ubyte.gz")
                + " holds 3 images", e.getMessage());
    }

    @Test
    void namesTheMissingFile() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Dataset.fashionMnist(dir, false));
        assertEquals(dir.resolve("t10k-images-idx3-ubyte") + ": neither it nor t10k-images-idx3-ubyte.gz exists in " + dir,
                e.getMessage());
    }
}
