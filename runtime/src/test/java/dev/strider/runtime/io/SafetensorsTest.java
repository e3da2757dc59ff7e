package dev.strider.runtime.io;

import static dev.strider.runtime.io.Files8.bytes;
import static dev.strider.runtime.io.Files8.concat;
import static dev.strider.runtime.io.Files8.f32;
import static dev.strider.runtime.io.Files8.file;
import static dev.strider.runtime.io.Files8.le64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private byte[] written(List<Tensor> tensors, Map<String, String> metadata) throws IOException {
        Path file = dir.resolve("out.safetensors");
        Safetensors.write(file, tensors, metadata);
        return Files.readAllBytes(file);
    }

    // ------------------------------------------------------------------ the reference implementation's test vectors

    @Test
    void writesTheReferenceBytesForOneTensor() throws IOException {
        // safetensors' own test_serialization: "attn.0", F32 [1, 2, 3] = 0..5; the 64-byte header needs no padding
        byte[] expected = concat(bytes(64, 0, 0, 0, 0, 0, 0, 0),
                ascii("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}"),
                bytes(0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64));
        assertArrayEquals(expected, written(List.of(Tensor.f32("attn.0", new int[] {1, 2, 3}, new float[] {0, 1, 2, 3, 4, 5})), null));
    }

    @Test
    void padsTheHeaderWithSpacesToAMultipleOfEight() throws IOException {
        // test_serialization_forced_alignement: a 65-byte header gets 7 spaces
        byte[] expected = concat(bytes(72, 0, 0, 0, 0, 0, 0, 0),
                ascii("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       "),
                f32(0, 1, 2, 3, 4, 5));
        assertArrayEquals(expected, written(List.of(Tensor.f32("attn0", new int[] {1, 1, 2, 3}, new float[] {0, 1, 2, 3, 4, 5})), Map.of()));
    }

    @Test
    void writesTheReferenceBytesForNoTensors() throws IOException {
        // test_empty, without and with metadata
        assertArrayEquals(bytes(8, 0, 0, 0, 0, 0, 0, 0, '{', '}', 32, 32, 32, 32, 32, 32), written(List.of(), null));
        assertArrayEquals(concat(bytes(40, 0, 0, 0, 0, 0, 0, 0), ascii("{\"__metadata__\":{\"framework\":\"pt\"}}     ")),
                written(List.of(), Map.of("framework", "pt")));
    }

    @Test
    void ordersByDecreasingAlignmentThenNameAndSortsMetadata() throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("z", "last");
        metadata.put("a", "<first & \"quoted\">");
        List<Tensor> tensors = List.of(
                Tensor.f32("b", new int[] {1}, new float[] {1.5f}),
                Tensor.i32("i", new int[] {2}, new int[] {-1, 7}),
                Tensor.f32("a", new int[] {}, new float[] {-2f}),
                Tensor.i64("step", new int[] {}, new long[] {3}),
                Tensor.f64("d", new int[] {1}, new double[] {0.25}));
        // I64 step [0, 8), F64 d [8, 16), F32 a [16, 20), F32 b [20, 24), I32 i [24, 32); no HTML escaping of < & >
        String json = "{\"__metadata__\":{\"a\":\"<first & \\\"quoted\\\">\",\"z\":\"last\"},"
                + "\"step\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[16,20]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[24,32]}}";
        int padded = (json.length() + 7) / 8 * 8;
        byte[] expected = concat(le64(padded), ascii(json + " ".repeat(padded - json.length())),
                bytes(3, 0, 0, 0, 0, 0, 0, 0), // 3L
                bytes(0, 0, 0, 0, 0, 0, 0xD0, 0x3F), // 0.25 = 0x3FD0000000000000
                bytes(0, 0, 0, 0xC0), // -2f = 0xC0000000
                bytes(0, 0, 0xC0, 0x3F), // 1.5f = 0x3FC00000
                bytes(0xFF, 0xFF, 0xFF, 0xFF, 7, 0, 0, 0));
        assertArrayEquals(expected, written(tensors, metadata));
        // another order in, the same bytes out
        List<Tensor> reversed = new ArrayList<>(tensors);
        java.util.Collections.reverse(reversed);
        assertArrayEquals(expected, written(reversed, Map.of("z", "last", "a", "<first & \"quoted\">")));
    }

    // ------------------------------------------------------------------ reading

    @Test
    void roundTripsEveryTypeBitForBit() throws IOException {
        float[] floats = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, -3.25f, Float.MAX_VALUE};
        long[] longs = {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE};
        Path file = dir.resolve("all.safetensors");
        Safetensors.write(file, List.of(
                Tensor.f32("w", new int[] {7}, floats),
                Tensor.f64("d", new int[] {2, 1}, new double[] {Math.PI, -0.0}),
                Tensor.i32("i", new int[] {1, 3}, new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}),
                Tensor.i64("l", new int[] {2, 2}, longs),
                Tensor.f32("empty", new int[] {0, 4}, new float[0])), Map.of("k", "v"));
        Safetensors.Contents c = Safetensors.read(file);
        assertEquals(List.of("l", "d", "empty", "w", "i"), new ArrayList<>(c.tensors().keySet()));
        assertEquals(Map.of("k", "v"), c.metadata());
        assertArrayEquals(floats, c.tensor("w").floats());
        assertArrayEquals(new int[] {7}, c.tensor("w").shape());
        assertArrayEquals(new double[] {Math.PI, -0.0}, c.tensor("d").doubles());
        assertArrayEquals(new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}, c.tensor("i").ints());
        assertArrayEquals(longs, c.tensor("l").longs());
        assertArrayEquals(new int[] {0, 4}, c.tensor("empty").shape());
        assertEquals(0, c.tensor("empty").size());
        assertEquals("no tensor \"x\"; there are [l, d, empty, w, i]",
                assertThrows(NoSuchElementException.class, () -> c.tensor("x")).getMessage());
    }

    @Test
    void readsReferenceTestFilesOfIntegersAndDoubles() throws IOException {
        // a hand-made file as a PyTorch reference test would write it: labels as I64, a loss as F64 (scalar), unsorted
        String header = "{\"loss\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[24,32]},"
                + "\"labels\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[0,24]}}";
        Path file = Files.write(dir.resolve("ref.safetensors"), file(header, concat(
                bytes(9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF),
                bytes(0, 0, 0, 0, 0, 0, 0xF8, 0x3F)))); // 1.5 = 0x3FF8000000000000
        Safetensors.Contents c = Safetensors.read(file);
        assertArrayEquals(new int[] {9, 0, -2}, c.tensor("labels").ints());
        assertArrayEquals(new float[] {9f, 0f, -2f}, c.tensor("labels").floats());
        assertArrayEquals(new float[] {1.5f}, c.tensor("loss").floats());
        assertArrayEquals(new int[] {}, c.tensor("loss").shape());
        assertEquals("tensor loss is F64, not an integer type (I32 or I64)",
                assertThrows(IllegalStateException.class, () -> c.tensor("loss").ints()).getMessage());
        Tensor big = Tensor.i64("big", new int[] {2}, new long[] {1, 1L << 40});
        assertEquals("tensor big: value 1 is 1099511627776, outside the int range",
                assertThrows(IllegalStateException.class, big::ints).getMessage());
    }

    /**
     * The message, without the file name it starts with, of reading a file of {@code content}; loading the file into
     * an engine must fail with the same message and leave the engine as it was.
     */
    private String error(String name, byte[] content) throws IOException {
        Path file = Files.write(dir.resolve(name), content);
        String message = assertThrows(SafetensorsFormatException.class, () -> Safetensors.read(file)).getMessage();
        assertTrue(message.startsWith(file + ": "), message);
        FakeEngine engine = new FakeEngine(1, 3f);
        List<float[]> before = engine.snapshot();
        assertEquals(message, assertThrows(SafetensorsFormatException.class, () -> Weights.load(engine, file)).getMessage());
        engine.assertHolds(before, "a file that fails to load leaves the engine unchanged");
        return message.substring(file.toString().length() + 2);
    }

    private static final String W = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    @Test
    void rejectsBadHeaderLengths() throws IOException {
        assertEquals("too short for a safetensors file: 5 bytes, expected at least 8 (the header length)", error("short", new byte[5]));
        assertEquals("header length 18446744073709551615 exceeds the limit of 100000000 bytes",
                error("max", concat(le64(-1), ascii("{}"))));
        assertEquals("header length 100000001 exceeds the limit of 100000000 bytes",
                error("limit", concat(le64(100_000_001), ascii("{}"))));
        assertEquals("header length 200 exceeds the 62 bytes after the length field (the file has 70 bytes)", // 8 + 54 (W) + 8
                error("long", concat(le64(200), ascii(W), f32(1, 2))));
    }

    /** Bytes this thread allocates while reading {@code file}, which must fail, the second time (after class loading). */
    private static long allocatedByAFailedRead(Path file) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        assertThrows(SafetensorsFormatException.class, () -> Safetensors.read(file));
        long before = threads.getThreadAllocatedBytes(id);
        assertThrows(SafetensorsFormatException.class, () -> Safetensors.read(file));
        return threads.getThreadAllocatedBytes(id) - before;
    }

    @Test
    void hugeClaimsAreRejectedBeforeAnythingIsAllocatedForThem() throws IOException {
        // files of a few bytes whose header claims a 99,999,999-byte header or a 1 GB tensor
        assertEquals("header length 99999999 exceeds the 2 bytes after the length field (the file has 10 bytes)",
                error("claimsHeader", concat(le64(99_999_999), ascii("{}"))));
        assertEquals("truncated: tensor \"w\" data_offsets [0, 1000000000] end beyond the 8 bytes of data the file holds",
                error("claimsData", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[250000000],\"data_offsets\":[0,1000000000]}}", f32(1, 2))));
        for (String name : List.of("claimsHeader", "claimsData")) {
            long bytes = allocatedByAFailedRead(dir.resolve(name));
            assertTrue(bytes < 1 << 20, name + ": a failed read allocated " + bytes + " bytes");
        }
    }

    @Test
    void rejectsHeadersThatAreNotAJsonObject() throws IOException {
        assertEquals("the header is not valid UTF-8 (Input length = 1)",
                error("latin1", concat(le64(6), bytes('{', '"', 0xE9, '"', ':', '}'))));
        assertEquals("the header must start with '{' (a JSON object), but it starts with \"[]\"", error("array", file("[]", new byte[0])));
        assertEquals("the header must start with '{' (a JSON object), but it is empty", error("empty", file("", new byte[0])));
        assertEquals("the header is not valid JSON: End of input at line 1 column 14 path $.w.dtype",
                error("cut", file("{\"w\":{\"dtype\"", new byte[0])));
        assertEquals("the header is not valid JSON at line 1 column 5 path $", error("trailing", file("{} {}", new byte[0])));
        assertEquals("the header is not valid JSON at line 1 column 3 path $.", error("unquoted", file("{w:1}", new byte[0])));
        assertEquals("the header is not valid JSON: Unescaped control characters (\\u0000-\\u001F) are not allowed in strict mode at"
                + " line 1 column 3 path $.", error("control", file("{\"\t\":1}", new byte[0])));
        // an unknown field nested 100,000 deep: Gson stops at 255 levels; its path is cut after 160 characters
        String deep = "{\"w\":{\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + ",\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}";
        assertEquals("the header is not valid JSON: Nesting limit 255 reached at line 1 column 265 path $.w.x" + "[0]".repeat(33) + "[0...",
                error("deep", file(deep, f32(1))));
    }

    @Test
    void rejectsDuplicates() throws IOException {
        assertEquals("the header names \"w\" twice", error("dup", file(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                f32(1, 2))));
        assertEquals("tensor \"w\" has \"shape\" twice", error("dupField", file(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"shape\":[2],\"data_offsets\":[0,8]}}", f32(1, 2))));
        assertEquals("__metadata__ names \"k\" twice", error("dupMeta", file(
                "{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}", new byte[0])));
    }

    @Test
    void rejectsMissingAndMistypedFields() throws IOException {
        assertEquals("tensor \"w\" has no \"shape\"", error("noShape", file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", f32(1, 2))));
        assertEquals("tensor \"w\" is an array, expected an object", error("array", file("{\"w\":[]}", new byte[0])));
        assertEquals("tensor \"w\" dtype is a number, expected a string",
                error("dtypeNumber", file("{\"w\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", f32(1, 2))));
        assertEquals("tensor \"w\" shape[0] is a string, expected a number",
                error("shapeString", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", f32(1, 2))));
        assertEquals("__metadata__ \"epochs\" is a number, expected a string",
                error("metaNumber", file("{\"__metadata__\":{\"epochs\":3}}", new byte[0])));
        assertEquals("tensor \"w\" data_offsets has more than 2 values, expected 2 [begin, end]",
                error("threeOffsets", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}}", f32(1, 2))));
        assertEquals("tensor \"w\" data_offsets has 1 values, expected 2 [begin, end]",
                error("oneOffset", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}", f32(1, 2))));
        assertEquals("tensor \"w\" data_offsets is null, expected an array",
                error("nullOffsets", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":null}}", f32(1, 2))));
        assertEquals("__metadata__ is an array, expected an object", error("metaArray", file("{\"__metadata__\":[]}", new byte[0])));
        String rank65 = "[" + "1,".repeat(64) + "1]";
        assertEquals("tensor \"w\" shape has more than 64 values",
                error("rank", file("{\"w\":{\"dtype\":\"F32\",\"shape\":" + rank65 + ",\"data_offsets\":[0,4]}}", f32(1))));
    }

    @Test
    void rejectsUnsupportedTypesAndImpossibleShapes() throws IOException {
        assertEquals("tensor \"w\" has dtype \"BF16\", expected one of [I32, F32, F64, I64] (the types Strider reads)",
                error("bf16", file("{\"w\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}", f32(1, 2))));
        assertEquals("tensor \"w\" shape[0] is -2, expected a non-negative integer",
                error("negative", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", f32(1, 2))));
        assertEquals("tensor \"w\" shape[1] is 2.5, expected a non-negative integer",
                error("fraction", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1,2.5],\"data_offsets\":[0,8]}}", f32(1, 2))));
        assertEquals("tensor \"w\": shape [3] of F32 needs 12 bytes, but data_offsets [0, 8] hold 8",
                error("product", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", f32(1, 2))));
        assertEquals("tensor \"w\": shape [2] of F64 needs 16 bytes, but data_offsets [0, 8] hold 8", // the dtype does not fit the bytes
                error("dtypeWidth", file("{\"w\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", f32(1, 2))));
        assertEquals("tensor \"w\": shape [1152921504606846976] holds 1152921504606846976 values, more than a Java array holds",
                error("javaArray", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1152921504606846976],\"data_offsets\":[0,4611686018427387904]}}",
                        f32(1, 2))));
        assertEquals("tensor \"w\": dimension 1 of shape [0, 4294967296] is larger than 2147483647",
                error("wideEmpty", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[0,4294967296],\"data_offsets\":[0,0]}}", new byte[0])));
        // 2^40 x 2^40 values overflow 64 bits: reported, never allocated
        assertEquals("tensor \"w\": shape [1099511627776, 1099511627776] of F32 needs more than 2^63 bytes, but data_offsets [0, 8] hold 8",
                error("overflow", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],\"data_offsets\":[0,8]}}",
                        f32(1, 2))));
        assertEquals("tensor \"w\" data_offsets [8, 0] end before they begin",
                error("backwards", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", f32(1, 2))));
        assertEquals("tensor \"w\" shape[0] is 99999999999999999999, larger than 9223372036854775807",
                error("huge", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", f32(1, 2))));
    }

    @Test
    void rejectsOffsetsThatDoNotTileTheData() throws IOException {
        assertEquals("tensor \"b\" data_offsets [4, 8] overlap tensor \"a\", which ends at 8", error("overlap", file(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                f32(1, 2))));
        assertEquals("bytes 4 to 8 of the data belong to no tensor (tensor \"b\" begins at 8, expected 4)", error("gap", file(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                f32(1, 2, 3))));
        assertEquals("bytes 0 to 4 of the data belong to no tensor (tensor \"w\" begins at 4, expected 0)", error("start", file(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", f32(1, 2))));
        assertEquals("truncated: tensor \"w\" data_offsets [0, 8] end beyond the 6 bytes of data the file holds",
                error("truncated", file(W, new byte[6])));
        assertEquals("truncated: tensor \"w\" data_offsets [9223372036854775799, 9223372036854775807] end beyond the 8 bytes of data"
                + " the file holds", error("outOfRange", file(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[9223372036854775799,9223372036854775807]}}", f32(1, 2))));
        assertEquals("4 bytes after the last tensor's data: the tensors cover 8 bytes of data, but the file holds 12",
                error("extra", file(W, f32(1, 2, 3))));
    }

    @Test
    void ignoresUnknownFieldsAsTheReferenceDoes() throws IOException {
        Path file = Files.write(dir.resolve("extra-field"), file(
                "{\"w\":{\"dtype\":\"F32\",\"note\":{\"x\":[1,2]},\"shape\":[2],\"data_offsets\":[0,8]}}", f32(1, 2)));
        assertArrayEquals(new float[] {1, 2}, Safetensors.read(file).tensor("w").floats());
    }

    // ------------------------------------------------------------------ writing

    @Test
    void writerRejectsDuplicateAndReservedNames() {
        Path file = dir.resolve("x");
        assertEquals("two tensors are called \"w\"", assertThrows(IllegalArgumentException.class, () -> Safetensors.write(file,
                List.of(Tensor.f32("w", new int[] {1}, new float[1]), Tensor.i32("w", new int[] {1}, new int[1])), null)).getMessage());
        assertEquals("a tensor cannot be called __metadata__, the header's metadata key", assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(file, List.of(Tensor.f32("__metadata__", new int[] {1}, new float[1])), null)).getMessage());
        assertEquals("tensor w: shape [2, 2] holds 4 values, but the F32 array has 3",
                assertThrows(IllegalArgumentException.class, () -> Tensor.f32("w", new int[] {2, 2}, new float[3])).getMessage());
    }

    @Test
    void replacesAnExistingFileAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("w.safetensors");
        Safetensors.write(file, List.of(Tensor.f32("w", new int[] {1}, new float[] {1})), null);
        Safetensors.write(file, List.of(Tensor.f32("w", new int[] {2}, new float[] {2, 3})), null);
        assertArrayEquals(new float[] {2, 3}, Safetensors.read(file).tensor("w").floats());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void aFailedWriteLeavesTheTargetAndNoTemporaryFile() throws IOException {
        // the target is a non-empty directory: the final rename fails after the data was written to the temporary file
        Path target = Files.createDirectories(dir.resolve("target"));
        Files.write(target.resolve("keep"), new byte[] {42});
        assertThrows(IOException.class, () -> Safetensors.write(target, List.of(Tensor.f32("w", new int[] {1}, new float[1])), null));
        assertArrayEquals(new byte[] {42}, Files.readAllBytes(target.resolve("keep")));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
    }
}
