package dev.strider.runtime.data;

import static dev.strider.runtime.data.IdxFiles.concat;
import static dev.strider.runtime.data.IdxFiles.gzip;
import static dev.strider.runtime.data.IdxFiles.header;
import static dev.strider.runtime.data.IdxFiles.images;
import static dev.strider.runtime.data.IdxFiles.labels;
import static dev.strider.runtime.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    @Test
    void readsRawAndUnitScaledImages() throws IOException {
        // 2 images of 2x3: bytes 0..11, then 255 in the last pixel
        byte[] bytes = images(2, 2, 3);
        bytes[bytes.length - 1] = (byte) 255;
        Path file = write(dir, "images", bytes);
        Idx.Images raw = Idx.readImages(file, Idx.Scale.RAW);
        assertEquals(2, raw.count());
        assertEquals(2, raw.rows());
        assertEquals(3, raw.columns());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255}, raw.pixels());
        float[] unit = Idx.readImages(file, Idx.Scale.UNIT).pixels();
        assertEquals(0f, unit[0]);
        assertEquals(1f / 255f, unit[1]);
        assertEquals(10f / 255f, unit[10]);
        assertEquals(1f, unit[11]);
    }

    @Test
    void gzipIsRecognisedByItsMagicBytesNotItsName() throws IOException {
        byte[] plain = images(3, 4, 5);
        Path gz = write(dir, "images.idx", gzip(plain)); // no .gz in the name
        Path notGz = write(dir, "images.gz", plain); // .gz in the name, but plain
        assertArrayEquals(Idx.readImages(notGz, Idx.Scale.RAW).pixels(), Idx.readImages(gz, Idx.Scale.RAW).pixels());
        assertEquals(59f, Idx.readImages(gz, Idx.Scale.RAW).pixels()[59]);
        assertArrayEquals(new int[] {3, 0, 9}, Idx.readLabels(write(dir, "l", gzip(labels(3, 0, 9))), 10));
    }

    @Test
    void emptyImageFileIsValid() throws IOException {
        Idx.Images none = Idx.readImages(write(dir, "none", header(Idx.IMAGES_MAGIC, 0, 28, 28)), Idx.Scale.UNIT);
        assertEquals(0, none.count());
        assertEquals(0, none.pixels().length);
    }

    private String imagesError(String name, byte[] bytes) throws IOException {
        Path file = write(dir, name, bytes);
        return assertThrows(MalformedDataException.class, () -> Idx.readImages(file, Idx.Scale.UNIT)).getMessage();
    }

    private String labelsError(String name, byte[] bytes, int classes) throws IOException {
        Path file = write(dir, name, bytes);
        return assertThrows(MalformedDataException.class, () -> Idx.readLabels(file, classes)).getMessage();
    }

    @Test
    void rejectsAFileThatIsNotIdx() throws IOException {
        assertEquals(dir.resolve("png") + ": not an IDX file: it starts with 0x89504E47, expected 0x00000803 (unsigned bytes, 3 dimensions)",
                imagesError("png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}));
        assertEquals(dir.resolve("short") + ": too short for an IDX file: the file has 3 bytes, expected at least 4 (the magic number 0x00000803)",
                imagesError("short", new byte[] {0, 0, 8}));
    }

    @Test
    void rejectsOtherDataTypes() throws IOException {
        assertEquals(dir.resolve("floats") + ": magic number 0x00000D03 has data type 0x0D (float), expected 0x08 (unsigned byte)",
                imagesError("floats", concat(header(0x00000D03, 1, 1, 1), new byte[4])));
    }

    @Test
    void rejectsTheWrongDimensionCount() throws IOException {
        assertEquals(dir.resolve("labels") + ": magic number 0x00000801 declares 1 dimensions, expected 3 [count, rows, columns]"
                + " (magic number 0x00000803) (a label file?)", imagesError("labels", labels(1, 2, 3)));
        assertEquals(dir.resolve("images") + ": magic number 0x00000803 declares 3 dimensions, expected 1 [count]"
                + " (magic number 0x00000801) (an image file?)", labelsError("images", images(1, 2, 2), 10));
        assertEquals(dir.resolve("two") + ": magic number 0x00000802 declares 2 dimensions, expected 3 [count, rows, columns]"
                + " (magic number 0x00000803)", imagesError("two", concat(header(0x00000802, 2, 2), new byte[4])));
    }

    @Test
    void rejectsImpossibleDimensions() throws IOException {
        assertEquals(dir.resolve("zero") + ": dimension rows is 0, expected 1 to 2147483639",
                imagesError("zero", header(Idx.IMAGES_MAGIC, 5, 0, 28)));
        // 0xFFFFFFFF is 4294967295 as the unsigned count it is, not -1
        assertEquals(dir.resolve("huge") + ": dimension count is 4294967295, expected 0 to 2147483639",
                imagesError("huge", header(Idx.IMAGES_MAGIC, -1, 28, 28)));
        // 100000 x 100000 = 10^10 values: no array holds them, and nothing is allocated for them
        assertEquals(dir.resolve("big") + ": the dimensions [count, rows, columns] declare more than 2147483639 values, more than a"
                + " Java array holds", imagesError("big", header(Idx.IMAGES_MAGIC, 100000, 100000, 1)));
        assertEquals(dir.resolve("cut-header") + ": truncated header: the file has 10 bytes, expected 16 (magic number and 3 dimensions)",
                imagesError("cut-header", Arrays.copyOf(header(Idx.IMAGES_MAGIC, 1, 2, 2), 10)));
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        // 3 images of 4x4 = 48 bytes after the 16-byte header: 64 bytes; cut to 50
        byte[] cut = Arrays.copyOf(images(3, 4, 4), 50);
        assertEquals(dir.resolve("cut") + ": truncated: the header declares 3 x 4 x 4 = 48 values, 64 bytes with the header,"
                + " but the file has 50 bytes", imagesError("cut", cut));
        assertEquals(dir.resolve("cut.gz") + ": truncated: the header declares 3 x 4 x 4 = 48 values, 64 bytes with the header,"
                + " but the decompressed data has 50 bytes", imagesError("cut.gz", gzip(cut)));
        // 60000 images declared, 2 present: nothing near 47 MB is allocated for them
        assertEquals(dir.resolve("liar.gz") + ": truncated: the header declares 60000 x 28 x 28 = 47040000 values, 47040016 bytes"
                + " with the header, but the decompressed data has 1584 bytes",
                imagesError("liar.gz", gzip(concat(header(Idx.IMAGES_MAGIC, 60000, 28, 28), new byte[2 * 784]))));
        assertEquals(dir.resolve("labels") + ": truncated: the header declares 5 = 5 values, 13 bytes with the header, but the file"
                + " has 11 bytes", labelsError("labels", Arrays.copyOf(labels(1, 2, 3, 4, 5), 11), 10));
    }

    @Test
    void rejectsATruncatedGzipStream() throws IOException {
        byte[] gz = gzip(images(50, 28, 28));
        byte[] cut = Arrays.copyOf(gz, gz.length / 2);
        String message = imagesError("cut-stream", cut);
        assertEquals(dir.resolve("cut-stream") + ": the gzip stream ends early, the file is truncated (" + cut.length + " bytes compressed)",
                message);
    }

    @Test
    void rejectsCorruptGzipData() throws IOException {
        byte[] gz = gzip(images(2, 2, 2));
        gz[gz.length - 8] ^= 1; // the CRC-32 of the trailer no longer matches the data
        assertEquals(dir.resolve("crc") + ": corrupt gzip data (Corrupt GZIP trailer)", imagesError("crc", gz));
        byte[] method = gzip(images(2, 2, 2));
        method[2] = 7; // compression method 7: only 8 (deflate) exists
        assertEquals(dir.resolve("method") + ": corrupt gzip data (Unsupported compression method)", imagesError("method", method));
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] longer = concat(images(1, 2, 2), new byte[] {7, 7, 7});
        assertEquals(dir.resolve("long") + ": 3 bytes after the data the header declares: expected 20 bytes (1 x 2 x 2 values after"
                + " the 16-byte header), but the file has 23", imagesError("long", longer));
    }

    @Test
    void rejectsLabelsOutsideTheClasses() throws IOException {
        assertEquals(dir.resolve("labels") + ": label 2 is 10, expected 0 to 9 (2 of 5 labels are out of range)",
                labelsError("labels", labels(0, 9, 10, 3, 200), 10));
        assertEquals("classes must be 1 to 256 for unsigned-byte labels, but it is 0",
                assertThrows(IllegalArgumentException.class, () -> Idx.readLabels(dir.resolve("x"), 0)).getMessage());
    }
}
