package dev.strider.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a JVM that keeps overwriting one 16 MB weights file ({@link SaveLoop}), {@value #KILLS} times at seeded
 * moments, and checks after each kill that the file is a complete save: the last one the child reported, or the one
 * it was finishing, never a partial or mixed one. Meanwhile the test runs the saver's clean-up of abandoned temporary
 * files as fast as it can, which must never take the file of the save in progress (the child's save would fail); at
 * the end, the next save must have deleted what the killed saves left.
 */
@Timeout(120)
class SaveCrashTest {
    @TempDir
    Path dir;

    private static final long SEED = 20_240_612L;
    private static final int KILLS = 8;
    /** Kills come at a random moment up to this long after the child's first completed save (or a little later). */
    private static final int MAX_DELAY_MS = 300;

    @Test
    void aKilledSaveLeavesTheLastCompleteFileAndItsLeftoverIsCleanedUp() throws Exception {
        Path file = dir.resolve("big.safetensors");
        Weights.save(new FakeEngine(SaveLoop.INPUTS, 0), file);
        FakeEngine loaded = new FakeEngine(SaveLoop.INPUTS, -1);
        Random random = new Random(SEED);
        int version = 0;
        int interrupted = 0;
        int cleanedBesideALiveSave = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            Path log = dir.resolve("child-" + kill + ".log");
            Path saved = dir.resolve("child-" + kill + ".saved");
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    SaveLoop.class.getName(), file.toString(), String.valueOf(version + 1))
                    .redirectOutput(saved.toFile()).redirectError(log.toFile()).start();
            while (!read(saved).contains("\n")) {
                assertTrue(child.isAlive(), () -> "the child ended before its first save: " + read(log));
                Thread.sleep(5);
            }
            // every other kill waits, after its delay, for a save in progress; the others strike at any moment
            boolean midSave = kill % 2 == 1;
            long killAt = System.nanoTime() + random.nextInt(MAX_DELAY_MS) * 1_000_000L;
            for (boolean saving = false; System.nanoTime() < killAt || midSave && !saving; ) {
                AtomicFile.removeAbandoned(file);
                saving = !temporaryFiles().isEmpty();
                cleanedBesideALiveSave += saving ? 1 : 0;
            }
            child.destroyForcibly().waitFor();
            String childErrors = read(log);
            assertFalse(childErrors.contains("Exception"), "kill " + kill + ": a save of the child failed: " + childErrors);
            List<String> versions = read(saved).lines().toList();
            int confirmed = Integer.parseInt(versions.get(versions.size() - 1));
            int leftovers = temporaryFiles().size();
            assertTrue(leftovers <= 1, "one killed save leaves at most one temporary file: " + leftovers);
            interrupted += leftovers;

            Weights.load(loaded, file); // fails if the file is not complete
            int held = (int) loaded.bias.data()[0];
            String what = "kill " + kill + ": the file holds version " + held + "; the child had saved " + confirmed;
            assertTrue(held == confirmed || held == confirmed + 1, what + ", so the file must hold that or the next");
            loaded.assertHolds(new FakeEngine(SaveLoop.INPUTS, held).snapshot(), what);
            version = held;
        }
        // the kills must really catch saves half-way, else this test proves nothing; those that wait for one nearly always do
        assertTrue(interrupted >= KILLS / 4, "only " + interrupted + " of " + KILLS + " kills interrupted a save");
        assertTrue(cleanedBesideALiveSave >= 1, "the clean-up never ran next to a save in progress");

        Weights.save(new FakeEngine(SaveLoop.INPUTS, version + 1), file);
        assertEquals(List.of(), temporaryFiles(), "the next save deletes what killed saves left");
    }

    private List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(AtomicFile.SUFFIX)).toList();
        }
    }

    private static String read(Path childOutput) {
        try {
            return Files.readString(childOutput);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
