package dev.strider.runtime.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST: unsigned-byte images ({@value #IMAGES_MAGIC_HEX}, dimensions
 * {@code [count, rows, columns]}) and unsigned-byte labels ({@value #LABELS_MAGIC_HEX}, {@code [count]}). The
 * header is the big-endian magic number {@code 00 00 <type> <dimension count>}, then each dimension as a big-endian
 * 32-bit integer, then the values in row-major order.
 *
 * <p>Gzip-compressed files are read transparently, recognised by their first two bytes {@code 1f 8b} whatever
 * their name. Everything is checked: magic number, data type, dimension count, dimension values, the data length
 * against the header (truncated files and trailing bytes), label values. Errors are {@link MalformedDataException}s
 * naming the file, the expected and the actual value. A header cannot make the reader allocate much more than the
 * data that is actually there.
 */
public final class Idx {
    /** Magic number of unsigned-byte images, {@code [count, rows, columns]}. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of unsigned-byte labels, {@code [count]}. */
    public static final int LABELS_MAGIC = 0x00000801;
    static final String IMAGES_MAGIC_HEX = "0x00000803";
    static final String LABELS_MAGIC_HEX = "0x00000801";

    private static final int UBYTE = 0x08;
    private static final int MAX_VALUES = Integer.MAX_VALUE - 8;
    private static final int FIRST_CHUNK = 1 << 20;
    private static final float[] UNIT = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            UNIT[v] = v / 255f;
        }
    }

    private Idx() {}

    /** How pixel bytes become floats. */
    public enum Scale {
        /** The byte value, 0 to 255. */
        RAW,
        /** The byte value divided by 255 (correctly rounded), 0 to 1. */
        UNIT
    }

    /**
     * Images read from an IDX file.
     *
     * @param count the number of images
     * @param rows the height of each image
     * @param columns the width of each image
     * @param pixels {@code count * rows * columns} values, image after image, row-major
     */
    public record Images(int count, int rows, int columns, float[] pixels) {}

    /** Reads unsigned-byte images ({@value #IMAGES_MAGIC_HEX}) from {@code file}, plain or gzip-compressed. */
    public static Images readImages(Path file, Scale scale) throws IOException {
        Raw raw = read(file, IMAGES_MAGIC, new String[] {"count", "rows", "columns"});
        float[] table = scale == Scale.UNIT ? UNIT : null;
        byte[] bytes = raw.data;
        float[] pixels = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            int v = bytes[i] & 0xff;
            pixels[i] = table == null ? v : table[v];
        }
        return new Images(raw.dims[0], raw.dims[1], raw.dims[2], pixels);
    }

    /**
     * Reads unsigned-byte labels ({@value #LABELS_MAGIC_HEX}) from {@code file}, plain or gzip-compressed, and checks
     * that each is a class index from 0 to {@code classes - 1}.
     */
    public static int[] readLabels(Path file, int classes) throws IOException {
        if (classes < 1 || classes > 256) {
            throw new IllegalArgumentException("classes must be 1 to 256 for unsigned-byte labels, but it is " + classes);
        }
        Raw raw = read(file, LABELS_MAGIC, new String[] {"count"});
        int[] labels = new int[raw.data.length];
        int bad = 0;
        int firstBad = -1;
        for (int i = 0; i < labels.length; i++) {
            labels[i] = raw.data[i] & 0xff;
            if (labels[i] >= classes) {
                if (bad++ == 0) {
                    firstBad = i;
                }
            }
        }
        if (bad > 0) {
            throw new MalformedDataException(file + ": label " + firstBad + " is " + labels[firstBad] + ", expected 0 to "
                    + (classes - 1) + " (" + bad + " of " + labels.length + " labels are out of range)");
        }
        return labels;
    }

    private record Raw(int[] dims, byte[] data) {}

    private static Raw read(Path file, int magic, String[] dimNames) throws IOException {
        long fileSize = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
                return parse(file, gzip, gzip ? -1 : fileSize, in, magic, dimNames);
            } catch (ZipException e) {
                throw new MalformedDataException(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
            } catch (EOFException e) {
                throw new MalformedDataException(file + ": the gzip stream ends early, the file is truncated (" + fileSize
                        + " bytes compressed)", e);
            }
        }
    }

    private static Raw parse(Path file, boolean gzip, long fileSize, InputStream in, int magic, String[] dimNames) throws IOException {
        String content = gzip ? "the decompressed data has " : "the file has ";
        byte[] head = in.readNBytes(4);
        if (head.length < 4) {
            throw new MalformedDataException(file + ": too short for an IDX file: " + content + head.length
                    + " bytes, expected at least 4 (the magic number " + hex(magic) + ")");
        }
        int actual = bigEndian(head, 0);
        int dimensions = magic & 0xff;
        if ((actual >>> 16) != 0) {
            throw new MalformedDataException(file + ": not an IDX file: it starts with " + hex(actual) + ", expected " + hex(magic)
                    + " (unsigned bytes, " + dimensions + (dimensions == 1 ? " dimension)" : " dimensions)"));
        }
        int type = (actual >>> 8) & 0xff;
        if (type != UBYTE) {
            throw new MalformedDataException(file + ": magic number " + hex(actual) + " has data type 0x" + String.format("%02X", type)
                    + " (" + typeName(type) + "), expected 0x08 (unsigned byte)");
        }
        int actualDims = actual & 0xff;
        if (actualDims != dimensions) {
            String hint = actualDims == 1 ? " (a label file?)" : actualDims == 3 ? " (an image file?)" : "";
            throw new MalformedDataException(file + ": magic number " + hex(actual) + " declares " + actualDims + " dimensions, expected "
                    + dimensions + " " + Arrays.toString(dimNames) + " (magic number " + hex(magic) + ")" + hint);
        }
        byte[] dimBytes = in.readNBytes(4 * dimensions);
        int headerBytes = 4 + 4 * dimensions;
        if (dimBytes.length < 4 * dimensions) {
            throw new MalformedDataException(file + ": truncated header: " + content + (4 + dimBytes.length) + " bytes, expected "
                    + headerBytes + " (magic number and " + dimensions + " dimensions)");
        }
        int[] dims = new int[dimensions];
        long total = 1;
        StringBuilder declared = new StringBuilder();
        for (int d = 0; d < dimensions; d++) {
            long value = Integer.toUnsignedLong(bigEndian(dimBytes, 4 * d));
            long min = d == 0 ? 0 : 1;
            if (value < min || value > MAX_VALUES) {
                throw new MalformedDataException(file + ": dimension " + dimNames[d] + " is " + value + ", expected " + min + " to "
                        + MAX_VALUES);
            }
            total *= value; // both factors < 2^31: no overflow before the check below
            if (total > MAX_VALUES) {
                throw new MalformedDataException(file + ": the dimensions " + Arrays.toString(dimNames) + " declare more than "
                        + MAX_VALUES + " values, more than a Java array holds");
            }
            dims[d] = (int) value;
            declared.append(d == 0 ? "" : " x ").append(value);
        }
        long expectedBytes = headerBytes + total;
        if (fileSize >= 0 && fileSize < expectedBytes) { // a plain file: check before reading anything
            throw truncated(file, declared, total, expectedBytes, content, fileSize);
        }
        byte[] data = readUpTo(in, (int) total, fileSize >= 0 ? (int) total : Math.min((int) total, FIRST_CHUNK));
        if (data.length < total) {
            throw truncated(file, declared, total, expectedBytes, content, headerBytes + data.length);
        }
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw new MalformedDataException(file + ": " + extra + " bytes after the data the header declares: expected " + expectedBytes
                    + " bytes (" + declared + " values after the " + headerBytes + "-byte header), but " + content
                    + (expectedBytes + extra));
        }
        return new Raw(dims, data);
    }

    private static MalformedDataException truncated(Path file, CharSequence declared, long total, long expected, String content, long actual) {
        return new MalformedDataException(file + ": truncated: the header declares " + declared + " = " + total
                + " values, " + expected + " bytes with the header, but " + content + actual + " bytes");
    }

    /** Reads up to {@code total} bytes, growing the buffer from {@code initial} as data actually arrives. */
    private static byte[] readUpTo(InputStream in, int total, int initial) throws IOException {
        byte[] buf = new byte[initial];
        int n = 0;
        while (n < total) {
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(total, 2L * buf.length));
            }
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }

    private static int bigEndian(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static String hex(int value) {
        return String.format("0x%08X", value);
    }

    private static String typeName(int type) {
        switch (type) {
            case 0x09: return "signed byte";
            case 0x0B: return "short";
            case 0x0C: return "int";
            case 0x0D: return "float";
            case 0x0E: return "double";
            default: return "not an IDX type";
        }
    }
}
