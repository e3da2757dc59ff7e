package dev.strider.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What saves leave next to the file they replace: temporary files of killed saves are ignored by loads and deleted by
 * the next save of the same file; everything else stays. {@link SaveCrashTest} kills real saves.
 */
class AtomicFileTest {
    @TempDir
    Path dir;

    private static final byte[] PARTIAL = {8, 0, 0, 0, 0, 0, 0, 0, '{'};

    @Test
    void theNextSaveDeletesTheTemporaryFilesOfKilledSavesAndNothingElse() throws IOException {
        Path file = dir.resolve("w.safetensors");
        FakeEngine saved = new FakeEngine(3, 1f);
        Weights.save(saved, file);
        // three killed saves of w.safetensors, nobody holds them: half-written, and killed before writing anything
        Files.write(dir.resolve(".w.safetensors.1x2y3z.strider-tmp"), PARTIAL);
        Files.write(dir.resolve(".w.safetensors.0.strider-tmp"), new byte[] {1});
        Files.write(dir.resolve(".w.safetensors.9abc.strider-tmp"), new byte[0]);
        Set<String> kept = Set.of(
                ".w.safetensors.locked7.strider-tmp", // locked: a save in progress
                ".other.safetensors.1x2y3z.strider-tmp", // another file's
                ".w.safetensors.b.1x2y3z.strider-tmp", // the file w.safetensors.b's
                ".w.safetensors.NOT-OURS.strider-tmp", // not a token the saver makes
                ".w.safetensors.1x2y3z.tmp", // not the saver's ending
                "w.safetensors.1x2y3z.strider-tmp"); // not hidden
        for (String name : kept) {
            Files.write(dir.resolve(name), PARTIAL);
        }
        FakeEngine loaded = new FakeEngine(3, 0f);
        Weights.load(loaded, file);
        loaded.assertHolds(saved.snapshot(), "a load reads the file, whatever lies next to it");

        try (FileChannel inProgress = FileChannel.open(dir.resolve(".w.safetensors.locked7.strider-tmp"), StandardOpenOption.WRITE)) {
            inProgress.lock(); // held until the channel closes, as a running save holds its file
            Weights.save(new FakeEngine(3, 2f), file);
        }
        Set<String> expected = new TreeSet<>(kept);
        expected.add("w.safetensors");
        assertEquals(expected, names());
        Weights.load(loaded, file);
        loaded.assertHolds(new FakeEngine(3, 2f).snapshot(), "the new save");
    }

    @Test
    void aSaveThatFailsDeletesItsOwnTemporaryFile() throws IOException {
        Path file = dir.resolve("w.safetensors");
        Files.write(file, PARTIAL);
        IOException failure = new IOException("disk full");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFile.replace(file, out -> {
            out.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            throw failure;
        }));
        assertEquals(failure, thrown);
        assertArrayEquals(PARTIAL, Files.readAllBytes(file), "the target is left as it was");
        assertEquals(Set.of("w.safetensors"), names());
    }

    private Set<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
