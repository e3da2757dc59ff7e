package dev.strider.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real Fashion-MNIST files (shared/datasets/fashion-mnist beside the repository, or {@value DataLocation#ENV_VARIABLE}).
 * The expected facts are the dataset's published ones (60,000 + 10,000 images, balanced classes, the usual
 * normalisation constants mean 0.2860 and std 0.3530) and a few values read from the same files with numpy.
 */
class FashionMnistTest {
    private static Dataset train;
    private static Dataset test;

    @BeforeAll
    static void load() throws IOException {
        // Surefire runs in runtime/: the repository root is the parent, and shared/ lies beside the repository
        Path repositoryRoot = Path.of("").toAbsolutePath().getParent();
        Path dir = DataLocation.resolve(null, System.getenv(DataLocation.ENV_VARIABLE), repositoryRoot, DataLocation.DEBIAN_DIR);
        train = Dataset.fashionMnist(dir, true);
        test = Dataset.fashionMnist(dir, false);
    }

    @Test
    void trainingSplit() {
        assertEquals(60_000, train.size());
        assertEquals(1, train.channels());
        assertEquals(28, train.height());
        assertEquals(28, train.width());
        assertEquals(60_000 * 784, train.images().length);
        int[] sixThousandEach = new int[10];
        Arrays.fill(sixThousandEach, 6000);
        assertArrayEquals(sixThousandEach, train.classCounts());
        // numpy: labels[:10] of train-labels-idx1-ubyte
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, Arrays.copyOf(train.labels(), 10));
    }

    @Test
    void testSplit() {
        assertEquals(10_000, test.size());
        int[] thousandEach = new int[10];
        Arrays.fill(thousandEach, 1000);
        assertArrayEquals(thousandEach, test.classCounts());
        assertArrayEquals(new int[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, Arrays.copyOf(test.labels(), 10));
    }

    @Test
    void pixelsAreBytesOver255WithThePublishedMeanAndStd() {
        float[] x = train.images();
        double sum = 0;
        double squares = 0;
        for (float v : x) {
            double byteValue = v * 255.0;
            assertEquals(Math.rint(byteValue), byteValue, 1e-4, "a pixel is not k / 255");
            assertTrue(v >= 0 && v <= 1);
            sum += v;
            squares += (double) v * v;
        }
        double mean = sum / x.length;
        double std = Math.sqrt(squares / x.length - mean * mean);
        // numpy, in float64: mean 0.2860405969887955, std 0.35302424451492237
        assertEquals(0.2860405969887955, mean, 1e-6);
        assertEquals(0.35302424451492237, std, 1e-6);
        // numpy: the raw bytes of the first training image add up to 76247, of the first test image to 33456
        assertEquals(76247, Math.round(sumOf(train.images(), 0, 784) * 255));
        assertEquals(33456, Math.round(sumOf(test.images(), 0, 784) * 255));
    }

    @Test
    void normalizedWithThePublishedConstantsHasMeanZeroAndStdOne() {
        float[] x = test.normalized(0.2860406f, 0.3530242f).images();
        double sum = 0;
        double squares = 0;
        for (float v : x) {
            sum += v;
            squares += (double) v * v;
        }
        double mean = sum / x.length;
        // the test split's own statistics differ slightly from the training split's
        assertEquals(0, mean, 0.01);
        assertEquals(1, Math.sqrt(squares / x.length - mean * mean), 0.01);
    }

    private static double sumOf(float[] a, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += a[i];
        }
        return s;
    }
}
