package dev.strider.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded corruptions of valid files (truncations, byte overwrites, bit flips, mostly in the header where they matter),
 * thousands per run. Every read either succeeds with self-consistent tensors or throws
 * {@link SafetensorsFormatException} naming the file; every load into an engine either loads the file completely or
 * throws that or a {@link WeightsMismatchException}, leaving the engine unchanged. Any other exception or error (an
 * {@link OutOfMemoryError} from a header value, say) fails the test.
 */
class SafetensorsFuzzTest {
    @TempDir
    Path dir;

    private static final long SEED = 20_240_601L;
    private static final int CASES = 3000;
    private static final String JSON_CHARACTERS = "{}[]\",:0123456789- ";

    /** One read or load of a corrupt file: returns if the file was accepted, throws the documented exception if not. */
    @FunctionalInterface
    private interface Attempt {
        void run(Path file, byte[] bytes) throws IOException;
    }

    @Test
    void corruptFilesReadConsistentlyOrFailWithTheDocumentedException() throws IOException {
        Path valid = dir.resolve("valid.safetensors");
        Safetensors.write(valid, List.of(
                Tensor.f32("conv.weight", new int[] {2, 1, 2, 2}, new float[] {1, 2, 3, 4, 5, 6, 7, 8}),
                Tensor.f32("conv.bias", new int[] {2}, new float[] {-1, 1}),
                Tensor.f64("loss", new int[] {}, new double[] {0.5}),
                Tensor.i64("bn.num_batches_tracked", new int[] {}, new long[] {12}),
                Tensor.i32("labels", new int[] {3}, new int[] {0, 9, 4})), Map.of("network", "Fuzz"));
        fuzz(Files.readAllBytes(valid), SEED, (file, bytes) -> checkConsistent(Safetensors.read(file), bytes), 50);
    }

    @Test
    void corruptWeightsLoadCompletelyOrLeaveTheEngineUnchanged() throws IOException {
        Path valid = dir.resolve("valid.safetensors");
        Weights.save(new FakeEngine(3, 5f), valid);
        fuzz(Files.readAllBytes(valid), SEED + 1, (file, bytes) -> {
            FakeEngine engine = new FakeEngine(3, 1f);
            List<float[]> before = engine.snapshot();
            try {
                Weights.load(engine, file);
            } catch (SafetensorsFormatException | WeightsMismatchException e) {
                engine.assertHolds(before, "a failed load");
                throw e;
            }
            Safetensors.Contents c = Safetensors.read(file);
            List<float[]> inFile = new ArrayList<>();
            for (String name : List.of("fc.weight", "fc.bias", "bn.running_mean", "bn.running_var")) {
                inFile.add(c.tensor(name).floats());
            }
            engine.assertHolds(inFile, "a load copies every value of the file");
        }, 20);
    }

    /**
     * Runs {@code attempt} on {@value #CASES} corruptions of {@code original}; at least {@code minAccepted} must be
     * accepted and half rejected, so that both outcomes are explored.
     */
    private void fuzz(byte[] original, long seed, Attempt attempt, int minAccepted) throws IOException {
        int headerEnd = 8 + (int) ByteBuffer.wrap(original, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Random random = new Random(seed);
        Path file = dir.resolve("fuzz.safetensors");
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] bytes = mutate(original, headerEnd, random);
            Files.write(file, bytes);
            try {
                attempt.run(file, bytes);
                accepted++;
            } catch (SafetensorsFormatException | WeightsMismatchException expected) {
                assertTrue(expected.getMessage().startsWith(file + ": ") || expected.getMessage().startsWith(file + " does not fit "),
                        expected.getMessage());
                rejected++;
            } catch (Throwable t) {
                fail("case " + i + " (seed " + seed + "): " + t + " for bytes " + Arrays.toString(bytes), t);
            }
        }
        assertEquals(CASES, accepted + rejected);
        assertTrue(accepted >= minAccepted && rejected >= CASES / 2,
                "the corruptions explore both outcomes: " + accepted + " accepted, " + rejected + " rejected");
    }

    private static byte[] mutate(byte[] original, int headerEnd, Random random) {
        byte[] bytes = original.clone();
        int kind = random.nextInt(4);
        if (kind == 0) { // truncate anywhere
            return Arrays.copyOf(bytes, random.nextInt(bytes.length));
        }
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            // three edits in four hit the length field or the header
            int at = random.nextInt(4) < 3 ? random.nextInt(headerEnd) : random.nextInt(bytes.length);
            if (kind == 1) {
                bytes[at] = (byte) random.nextInt(256);
            } else if (kind == 2) {
                bytes[at] ^= (byte) (1 << random.nextInt(8));
            } else { // a JSON-significant character
                bytes[at] = (byte) JSON_CHARACTERS.charAt(random.nextInt(JSON_CHARACTERS.length()));
            }
        }
        return bytes;
    }

    /** Every tensor holds as many values as its shape says, and together they fill the data section exactly. */
    private static void checkConsistent(Safetensors.Contents c, byte[] bytes) {
        long header = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long dataBytes = 0;
        for (Tensor t : c.tensors().values()) {
            long product = 1;
            for (int d : t.shape()) {
                assertTrue(d >= 0);
                product *= d;
            }
            assertEquals(product, t.size(), t.name());
            assertEquals(product, t.floats().length, t.name());
            dataBytes += (long) t.size() * t.dtype().bytes();
        }
        assertEquals(bytes.length - 8 - header, dataBytes);
    }
}
