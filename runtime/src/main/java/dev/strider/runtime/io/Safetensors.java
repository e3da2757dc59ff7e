package dev.strider.runtime.io;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian unsigned header length {@code N}, {@code N} bytes
 * of UTF-8 JSON, then the raw little-endian data. The JSON maps each tensor name to
 * {@code {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}} (offsets relative to the start of the data),
 * plus an optional {@code "__metadata__"} object of string values. Strider reads and writes F32, F64, I32 and I64.
 *
 * <p>The reader checks everything before it trusts anything, and reports a bad file as a
 * {@link SafetensorsFormatException} naming the file, the expected and the actual value (never another exception
 * type): a header length beyond the file or beyond {@value #MAX_HEADER_BYTES} bytes (the reference
 * implementation's limit); a header that is not UTF-8, not a JSON object, or has duplicate names or fields; missing
 * or mistyped fields; negative dimensions; dtypes it does not support; a shape whose values do not fill exactly its
 * byte range; byte ranges beyond the end of the file (a truncated file), that overlap, leave gaps or do not end
 * exactly at the end of the file. It allocates nothing a header asks for before checking it against the file's
 * size, so the memory a read takes is proportional to the file's size; JSON nests at most 255 levels deep (Gson's
 * limit) and shapes have at most 64 dimensions. As in the reference implementation, unknown fields in a tensor's
 * entry are ignored.
 *
 * <p>The writer produces the bytes of the reference implementation ({@code safetensors.serialize}): tensors ordered
 * by decreasing alignment (I64, F64, F32, I32), then by name; compact JSON; the header padded with spaces to a
 * multiple of 8 bytes. It adds the metadata keys sorted, so the same tensors always give the same bytes. It writes a
 * temporary file in the target's directory, forces it to disk and renames it over the target atomically, so that a
 * crash leaves either the old file or the new one, never a half-written file; the temporary file of a save that died
 * is ignored by readers and deleted by the next save of the same file (see {@code AtomicFile}).
 */
public final class Safetensors {
    /** The largest header read: 100,000,000 bytes, the reference implementation's limit. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA = "__metadata__";
    private static final int CHUNK = 1 << 16;
    private static final long MAX_VALUES = Integer.MAX_VALUE - 8;
    /** The most dimensions a shape may have, so that a header cannot ask for big arrays of dimensions. */
    static final int MAX_RANK = 64;
    /** The most characters of a JSON parser's message quoted in an error. */
    private static final int MAX_PROBLEM = 160;

    private Safetensors() {}

    /**
     * A file's tensors, in header order, and its metadata (empty if it has none). Both maps are unmodifiable.
     *
     * @param tensors the tensors by name
     * @param metadata the {@code __metadata__} entries
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        /** Wraps the maps unmodifiably, keeping their order. */
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }

        /** The tensor called {@code name}; throws {@link NoSuchElementException} listing the names there are. */
        public Tensor tensor(String name) {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw new NoSuchElementException("no tensor \"" + name + "\"; there are " + tensors.keySet());
            }
            return t;
        }
    }

    /** One entry of a header, checked. */
    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {}

    // ---------------------------------------------------------------- reading

    /** Reads every tensor and the metadata of {@code file}. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw bad(file, "too short for a safetensors file: " + fileSize + " bytes, expected at least 8 (the header length)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(file, channel, lengthBytes, 0);
            long n = lengthBytes.getLong(0);
            String unsigned = Long.toUnsignedString(n);
            if (n < 0 || n > MAX_HEADER_BYTES) {
                throw bad(file, "header length " + unsigned + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            if (n > fileSize - 8) {
                throw bad(file, "header length " + unsigned + " exceeds the " + (fileSize - 8) + " bytes after the length field (the file has "
                        + fileSize + " bytes)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
            readFully(file, channel, headerBytes, 8);
            headerBytes.flip();
            String header = utf8(file, headerBytes);
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = parseHeader(file, header, metadata);
            long dataStart = 8 + n;
            checkLayout(file, entries, fileSize - dataStart);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : entries) {
                tensors.put(e.name, readTensor(file, channel, chunk, dataStart, e));
            }
            return new Contents(tensors, metadata);
        }
    }

    private static String utf8(Path file, ByteBuffer bytes) throws SafetensorsFormatException {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw bad(file, "the header is not valid UTF-8 (" + e.getMessage() + ")");
        }
    }

    private static List<Entry> parseHeader(Path file, String header, Map<String, String> metadata) throws SafetensorsFormatException {
        if (header.isEmpty() || header.charAt(0) != '{') {
            throw bad(file, "the header must start with '{' (a JSON object), but it " + (header.isEmpty() ? "is empty"
                    : "starts with " + quote(header.substring(0, Math.min(header.length(), 20)))));
        }
        List<Entry> entries = new ArrayList<>();
        try {
            JsonReader r = new JsonReader(new StringReader(header));
            r.setStrictness(Strictness.STRICT);
            r.beginObject();
            Set<String> names = new HashSet<>();
            while (r.hasNext()) {
                String name = r.nextName();
                if (!names.add(name)) {
                    throw bad(file, "the header names " + quote(name) + " twice");
                }
                if (name.equals(METADATA)) {
                    readMetadata(file, r, metadata);
                } else {
                    entries.add(readEntry(file, r, name));
                }
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw bad(file, "the header has more after its JSON object: " + r.peek());
            }
        } catch (SafetensorsFormatException e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            // JsonReader reports malformed JSON as MalformedJsonException or EOFException (IOExceptions) and a token
            // of the wrong kind as IllegalStateException; the reader reads a string, so no other I/O can fail
            throw bad(file, "the header is not valid JSON" + jsonProblem(e), e);
        }
        return entries;
    }

    /**
     * Gson's message without its advice to parse leniently and its troubleshooting link, cut after
     * {@value #MAX_PROBLEM} characters (its JSON path of a deeply nested or long-named value can be long).
     */
    private static String jsonProblem(Exception e) {
        String message = String.valueOf(e.getMessage());
        int link = message.indexOf("\nSee ");
        if (link >= 0) {
            message = message.substring(0, link);
        }
        String advice = "Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON";
        message = message.startsWith(advice) ? message.substring(advice.length()) : ": " + message;
        return message.length() > MAX_PROBLEM ? message.substring(0, MAX_PROBLEM) + "..." : message;
    }

    private static void readMetadata(Path file, JsonReader r, Map<String, String> metadata) throws IOException {
        if (r.peek() == JsonToken.NULL) {
            r.nextNull();
            return;
        }
        expect(file, r, JsonToken.BEGIN_OBJECT, METADATA);
        r.beginObject();
        while (r.hasNext()) {
            String key = r.nextName();
            if (metadata.containsKey(key)) {
                throw bad(file, METADATA + " names " + quote(key) + " twice");
            }
            expect(file, r, JsonToken.STRING, METADATA + " " + quote(key));
            metadata.put(key, r.nextString());
        }
        r.endObject();
    }

    private static Entry readEntry(Path file, JsonReader r, String name) throws IOException {
        String what = "tensor " + quote(name);
        expect(file, r, JsonToken.BEGIN_OBJECT, what);
        r.beginObject();
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        Set<String> fields = new HashSet<>();
        while (r.hasNext()) {
            String field = r.nextName();
            if (!fields.add(field)) {
                throw bad(file, what + " has \"" + field + "\" twice");
            }
            switch (field) {
                case "dtype":
                    expect(file, r, JsonToken.STRING, what + " dtype");
                    dtypeName = r.nextString();
                    break;
                case "shape":
                    shape = readIndexes(file, r, what + " shape", MAX_RANK);
                    break;
                case "data_offsets":
                    offsets = readIndexes(file, r, what + " data_offsets", 2);
                    break;
                default:
                    r.skipValue(); // the reference implementation ignores unknown fields too
            }
        }
        r.endObject();
        for (String required : List.of("dtype", "shape", "data_offsets")) {
            if (!fields.contains(required)) {
                throw bad(file, what + " has no \"" + required + "\"");
            }
        }
        DType dtype = DType.of(dtypeName);
        if (dtype == null) {
            throw bad(file, what + " has dtype " + quote(dtypeName) + ", expected one of " + Arrays.toString(DType.values())
                    + " (the types Strider reads)");
        }
        if (offsets.length != 2) {
            throw bad(file, what + " data_offsets has " + offsets.length + " values, expected 2 [begin, end]");
        }
        if (offsets[1] < offsets[0]) {
            throw bad(file, what + " data_offsets " + Arrays.toString(offsets) + " end before they begin");
        }
        long bytes = offsets[1] - offsets[0];
        long values = 1;
        for (long d : shape) {
            values = d == 0 || values == 0 ? 0 : values > Long.MAX_VALUE / d ? Long.MAX_VALUE : values * d;
        }
        long needed = values > Long.MAX_VALUE / dtype.bytes() ? Long.MAX_VALUE : values * dtype.bytes();
        if (needed != bytes) {
            throw bad(file, what + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs " + (needed == Long.MAX_VALUE
                    ? "more than 2^63 bytes" : needed + " bytes") + ", but data_offsets " + Arrays.toString(offsets) + " hold " + bytes);
        }
        if (values > MAX_VALUES) {
            throw bad(file, what + ": shape " + Arrays.toString(shape) + " holds " + values + " values, more than a Java array holds");
        }
        int[] intShape = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) { // possible only next to a zero dimension
                throw bad(file, what + ": dimension " + i + " of shape " + Arrays.toString(shape) + " is larger than " + Integer.MAX_VALUE);
            }
            intShape[i] = (int) shape[i];
        }
        return new Entry(name, dtype, intShape, offsets[0], offsets[1]);
    }

    /** A JSON array of at most {@code max} non-negative integers (each at most 2^63 - 1). */
    private static long[] readIndexes(Path file, JsonReader r, String what, int max) throws IOException {
        expect(file, r, JsonToken.BEGIN_ARRAY, what);
        r.beginArray();
        long[] values = new long[max];
        int n = 0;
        while (r.hasNext()) {
            String item = what + "[" + n + "]";
            if (n == max) {
                throw bad(file, what + " has more than " + max + " values" + (max == 2 ? ", expected 2 [begin, end]" : ""));
            }
            expect(file, r, JsonToken.NUMBER, item);
            String text = r.nextString();
            if (!text.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw bad(file, item + " is " + text + ", expected a non-negative integer");
            }
            long value;
            try {
                value = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw bad(file, item + " is " + text + ", larger than " + Long.MAX_VALUE);
            }
            values[n++] = value;
        }
        r.endArray();
        return Arrays.copyOf(values, n);
    }

    private static void expect(Path file, JsonReader r, JsonToken token, String what) throws IOException {
        JsonToken actual = r.peek();
        if (actual != token) {
            throw bad(file, what + " is " + describe(actual) + ", expected " + describe(token));
        }
    }

    private static String describe(JsonToken t) {
        switch (t) {
            case BEGIN_OBJECT: return "an object";
            case BEGIN_ARRAY: return "an array";
            case STRING: return "a string";
            case NUMBER: return "a number";
            case BOOLEAN: return "a boolean";
            case NULL: return "null";
            default: return t.toString();
        }
    }

    /**
     * The byte ranges, in offset order, must lie within the data section and tile it exactly, as the reference
     * implementation requires.
     */
    private static void checkLayout(Path file, List<Entry> entries, long dataBytes) throws SafetensorsFormatException {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        String previous = null;
        for (Entry e : byOffset) {
            if (e.end > dataBytes) {
                throw bad(file, "truncated: tensor " + quote(e.name) + " data_offsets [" + e.begin + ", " + e.end + "] end beyond the "
                        + dataBytes + " bytes of data the file holds");
            }
            if (e.begin < expected) {
                throw bad(file, "tensor " + quote(e.name) + " data_offsets [" + e.begin + ", " + e.end + "] overlap tensor "
                        + quote(previous) + ", which ends at " + expected);
            }
            if (e.begin > expected) {
                throw bad(file, "bytes " + expected + " to " + e.begin + " of the data belong to no tensor (tensor " + quote(e.name)
                        + " begins at " + e.begin + ", expected " + expected + ")");
            }
            expected = e.end;
            previous = e.name;
        }
        if (expected != dataBytes) {
            throw bad(file, (dataBytes - expected) + " bytes after the last tensor's data: the tensors cover " + expected
                    + " bytes of data, but the file holds " + dataBytes);
        }
    }

    private static Tensor readTensor(Path file, FileChannel channel, ByteBuffer chunk, long dataStart, Entry e) throws IOException {
        int count = (int) ((e.end - e.begin) / e.dtype.bytes());
        int perChunk = CHUNK / e.dtype.bytes();
        Object array;
        switch (e.dtype) {
            case F32: array = new float[count]; break;
            case F64: array = new double[count]; break;
            case I32: array = new int[count]; break;
            default: array = new long[count];
        }
        long position = dataStart + e.begin;
        for (int done = 0; done < count; ) {
            int k = Math.min(perChunk, count - done);
            chunk.clear().limit(k * e.dtype.bytes());
            readFully(file, channel, chunk, position);
            chunk.flip();
            switch (e.dtype) {
                case F32: chunk.asFloatBuffer().get((float[]) array, done, k); break;
                case F64: chunk.asDoubleBuffer().get((double[]) array, done, k); break;
                case I32: chunk.asIntBuffer().get((int[]) array, done, k); break;
                default: chunk.asLongBuffer().get((long[]) array, done, k);
            }
            done += k;
            position += (long) k * e.dtype.bytes();
        }
        switch (e.dtype) {
            case F32: return Tensor.f32(e.name, e.shape, (float[]) array);
            case F64: return Tensor.f64(e.name, e.shape, (double[]) array);
            case I32: return Tensor.i32(e.name, e.shape, (int[]) array);
            default: return Tensor.i64(e.name, e.shape, (long[]) array);
        }
    }

    private static void readFully(Path file, FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw bad(file, "the file ended at byte " + at + " while reading; it changed while being read");
            }
            at += n;
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes {@code tensors} (unique names, none called {@value #METADATA}) and {@code metadata} (null or empty for
     * none) to {@code file}, atomically: the file is either left as it was or replaced by the complete new one, even
     * if the process dies while writing. First deletes the temporary files that killed saves of {@code file} left.
     */
    public static void write(Path file, Collection<Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Tensor> ordered = ordered(tensors);
        byte[] header = header(ordered, metadata == null ? Map.of() : metadata);
        AtomicFile.replace(file, out -> {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(header.length);
            writeBytes(out, buffer, header);
            for (Tensor t : ordered) {
                writeValues(out, buffer, t);
            }
            buffer.flip();
            writeFully(out, buffer);
        });
    }

    /** The reference implementation's order: decreasing alignment (dtype), then name (by UTF-8 bytes). */
    private static List<Tensor> ordered(Collection<Tensor> tensors) {
        Set<String> names = new HashSet<>();
        for (Tensor t : tensors) {
            if (t.name().equals(METADATA)) {
                throw new IllegalArgumentException("a tensor cannot be called " + METADATA + ", the header's metadata key");
            }
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("two tensors are called " + quote(t.name()));
            }
        }
        List<Tensor> ordered = new ArrayList<>(tensors);
        ordered.sort(Comparator.comparing(Tensor::dtype, Comparator.reverseOrder()).thenComparing(Tensor::name, Safetensors::compareUtf8));
        return ordered;
    }

    /** The padded JSON header of tensors already {@link #ordered}. */
    static byte[] header(List<Tensor> ordered, Map<String, String> metadata) throws IOException {
        StringWriter json = new StringWriter();
        JsonWriter w = new JsonWriter(json);
        w.setHtmlSafe(false);
        w.beginObject();
        if (!metadata.isEmpty()) {
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("metadata keys and values must not be null: " + e.getKey() + " = " + e.getValue());
                }
            }
            List<String> keys = new ArrayList<>(metadata.keySet());
            keys.sort(Safetensors::compareUtf8);
            w.name(METADATA).beginObject();
            for (String key : keys) {
                w.name(key).value(metadata.get(key));
            }
            w.endObject();
        }
        long offset = 0;
        for (Tensor t : ordered) {
            w.name(t.name()).beginObject();
            w.name("dtype").value(t.dtype().name());
            w.name("shape").beginArray();
            for (int d : t.shape()) {
                w.value(d);
            }
            w.endArray();
            w.name("data_offsets").beginArray().value(offset).value(offset + t.byteSize()).endArray();
            w.endObject();
            offset += t.byteSize();
        }
        w.endObject();
        w.flush();
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (bytes.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(bytes, padded);
        Arrays.fill(out, bytes.length, padded, (byte) ' ');
        return out;
    }

    private static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeBytes(FileChannel out, ByteBuffer buffer, byte[] bytes) throws IOException {
        for (int at = 0; at < bytes.length; ) {
            if (!buffer.hasRemaining()) {
                buffer.flip();
                writeFully(out, buffer);
                buffer.clear();
            }
            int k = Math.min(buffer.remaining(), bytes.length - at);
            buffer.put(bytes, at, k);
            at += k;
        }
    }

    private static void writeValues(FileChannel out, ByteBuffer buffer, Tensor t) throws IOException {
        int width = t.dtype().bytes();
        Object array = t.array();
        for (int done = 0; done < t.size(); ) {
            if (buffer.remaining() < width) {
                buffer.flip();
                writeFully(out, buffer);
                buffer.clear();
            }
            int k = Math.min(buffer.remaining() / width, t.size() - done);
            int at = buffer.position();
            switch (t.dtype()) {
                case F32: buffer.asFloatBuffer().put((float[]) array, done, k); break;
                case F64: buffer.asDoubleBuffer().put((double[]) array, done, k); break;
                case I32: buffer.asIntBuffer().put((int[]) array, done, k); break;
                default: buffer.asLongBuffer().put((long[]) array, done, k);
            }
            buffer.position(at + k * width);
            done += k;
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static SafetensorsFormatException bad(Path file, String detail) {
        return new SafetensorsFormatException(file + ": " + detail);
    }

    private static SafetensorsFormatException bad(Path file, String detail, Throwable cause) {
        return new SafetensorsFormatException(file + ": " + detail, cause);
    }
}
