package dev.strider.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLocationTest {
    @TempDir
    Path root;

    private static final String HOW = "\nGet the data with `apt-get install dataset-fashion-mnist` (it installs to"
            + " /usr/share/datasets/fashion-mnist), or pass --data DIR or set FASHION_MNIST_DIR to a directory holding the four files.";

    /** A directory with the four (empty) files, gzipped or not as {@code gz} says, file by file. */
    private Path dataDir(String name, boolean... gz) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        for (int i = 0; i < gz.length; i++) {
            Files.createFile(dir.resolve(DataLocation.FILES.get(i) + (gz[i] ? ".gz" : "")));
        }
        return dir;
    }

    @Test
    void theOptionComesFirst() throws IOException {
        Path option = dataDir("option", true, false, true, false);
        Path env = dataDir("env", true, true, true, true);
        assertEquals(option, DataLocation.resolve(option.toString(), env.toString(), root, root.resolve("debian")));
        assertTrue(DataLocation.holdsData(option));
    }

    @Test
    void thenTheEnvironmentVariable() throws IOException {
        Path env = dataDir("env", false, false, false, false);
        assertEquals(env, DataLocation.resolve(null, env.toString(), root, root.resolve("debian")));
        assertEquals(env, DataLocation.resolve("  ", env.toString(), root, root.resolve("debian")), "a blank option is no option");
    }

    @Test
    void thenSharedBesideTheWorkingDirectoryThenDebian() throws IOException {
        Path work = Files.createDirectories(root.resolve("work/main"));
        Path debian = dataDir("debian", true, true, true, true);
        assertEquals(debian, DataLocation.resolve(null, null, work, debian));
        Path shared = Files.createDirectories(root.resolve("work/shared/datasets"));
        Path fashion = dataDir("work/shared/datasets/fashion-mnist", true, true, true, true);
        assertTrue(Files.isDirectory(shared));
        assertEquals(fashion, DataLocation.resolve(null, null, work, debian));
    }

    @Test
    void anExplicitDirectoryWithoutTheFilesIsAnError() throws IOException {
        Path partial = dataDir("partial", true, true, false);
        Path fallback = dataDir("debian", true, true, true, true);
        DataNotFoundException e = assertThrows(DataNotFoundException.class,
                () -> DataLocation.resolve(partial.toString(), null, root, fallback));
        assertEquals("Fashion-MNIST not found in " + partial + " (from --data " + partial + "): lacks t10k-labels-idx1-ubyte(.gz)" + HOW,
                e.getMessage());
        assertEquals(List.of(partial), e.tried());
        DataNotFoundException env = assertThrows(DataNotFoundException.class,
                () -> DataLocation.resolve(null, root.resolve("nowhere").toString(), root, fallback));
        assertEquals("Fashion-MNIST not found in " + root.resolve("nowhere") + " (from FASHION_MNIST_DIR=" + root.resolve("nowhere")
                + "): does not exist" + HOW, env.getMessage());
    }

    @Test
    void nothingFoundListsEveryPlaceAndWhy() throws IOException {
        Path work = Files.createDirectories(root.resolve("work/main"));
        Files.createDirectories(root.resolve("work/shared/datasets"));
        Files.createFile(root.resolve("work/shared/datasets/fashion-mnist"));
        Path debian = dataDir("debian", false, false);
        DataNotFoundException e = assertThrows(DataNotFoundException.class, () -> DataLocation.resolve(null, "", work, debian));
        Path shared = root.resolve("work/shared/datasets/fashion-mnist");
        assertEquals("Fashion-MNIST not found (--data not given, FASHION_MNIST_DIR not set). Looked for train-images-idx3-ubyte,"
                + " train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each plain or .gz) in:\n"
                + "  " + shared + " (../shared/datasets/fashion-mnist from the working directory): is not a directory\n"
                + "  " + debian + " (Debian's dataset-fashion-mnist): lacks t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz)"
                + HOW, e.getMessage());
        assertEquals(List.of(shared, debian), e.tried());
        assertFalse(DataLocation.holdsData(debian));
    }
}
