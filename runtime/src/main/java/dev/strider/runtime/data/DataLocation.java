package dev.strider.runtime.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the Fashion-MNIST directory: a directory holding the four IDX files {@link #FILES}, each plain or with
 * {@code .gz}. In order:
 *
 * <ol>
 *   <li>the directory given on the command line ({@code --data DIR}), if given;
 *   <li>else the environment variable {@value #ENV_VARIABLE}, if set;
 *   <li>else {@value #SHARED_RELATIVE}, relative to the working directory;
 *   <li>else {@link #DEBIAN_DIR}, where Debian's package {@code dataset-fashion-mnist} installs the files.
 * </ol>
 *
 * An explicit setting (1 or 2) is used or fails: a mistyped {@code --data} is reported, not silently replaced by
 * another directory. The defaults (3, 4) are searched; the first holding all four files wins.
 */
public final class DataLocation {
    /** The environment variable naming the data directory. */
    public static final String ENV_VARIABLE = "FASHION_MNIST_DIR";
    /** The shared data directory, relative to the working directory. */
    public static final String SHARED_RELATIVE = "../shared/datasets/fashion-mnist";
    /** Where Debian's {@code dataset-fashion-mnist} package puts the (gzipped) files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** The four files, without the optional {@code .gz}. */
    public static final List<String> FILES = List.of(
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    private static final String HOW_TO_GET = "Get the data with `apt-get install dataset-fashion-mnist` (it installs to "
            + DEBIAN_DIR + "), or pass --data DIR or set " + ENV_VARIABLE + " to a directory holding the four files.";

    private DataLocation() {}

    /**
     * The Fashion-MNIST directory; {@code cliOption} is the value of {@code --data}, or null (or blank) when not given.
     *
     * @throws DataNotFoundException naming every place tried, why it does not qualify, and how to get the data
     */
    public static Path resolve(String cliOption) throws DataNotFoundException {
        return resolve(cliOption, System.getenv(ENV_VARIABLE), Path.of("").toAbsolutePath(), DEBIAN_DIR);
    }

    /** {@link #resolve(String)} with the environment, the working directory and Debian's directory given (for tests). */
    static Path resolve(String cliOption, String env, Path workingDir, Path debianDir) throws DataNotFoundException {
        if (cliOption != null && !cliOption.isBlank()) {
            return explicit(Path.of(cliOption), "--data " + cliOption);
        }
        if (env != null && !env.isBlank()) {
            return explicit(Path.of(env), ENV_VARIABLE + "=" + env);
        }
        Path shared = workingDir.resolve(SHARED_RELATIVE).normalize();
        List<Path> tried = new ArrayList<>();
        StringBuilder why = new StringBuilder();
        for (Path dir : List.of(shared, debianDir)) {
            String problem = problem(dir);
            if (problem == null) {
                return dir;
            }
            tried.add(dir);
            why.append("\n  ").append(dir).append(dir == shared ? " (" + SHARED_RELATIVE + " from the working directory)"
                    : " (Debian's dataset-fashion-mnist)").append(": ").append(problem);
        }
        throw new DataNotFoundException("Fashion-MNIST not found (--data not given, " + ENV_VARIABLE + " not set). Looked for "
                + String.join(", ", FILES) + " (each plain or .gz) in:" + why + "\n" + HOW_TO_GET, tried);
    }

    private static Path explicit(Path dir, String source) throws DataNotFoundException {
        String problem = problem(dir);
        if (problem == null) {
            return dir;
        }
        throw new DataNotFoundException("Fashion-MNIST not found in " + dir + " (from " + source + "): " + problem + "\n" + HOW_TO_GET,
                List.of(dir));
    }

    /** Whether {@code dir} holds the four files, each plain or gzipped. */
    public static boolean holdsData(Path dir) {
        return problem(dir) == null;
    }

    /** Why {@code dir} does not qualify, or null if it holds the four files. */
    private static String problem(Path dir) {
        if (!Files.exists(dir)) {
            return "does not exist";
        }
        if (!Files.isDirectory(dir)) {
            return "is not a directory";
        }
        List<String> missing = new ArrayList<>();
        for (String name : FILES) {
            if (file(dir, name) == null) {
                missing.add(name + "(.gz)");
            }
        }
        return missing.isEmpty() ? null : "lacks " + String.join(", ", missing);
    }

    /** {@code dir/name} if it is a regular file, else {@code dir/name.gz} if that is, else null. */
    static Path file(Path dir, String name) {
        Path plain = dir.resolve(name);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = dir.resolve(name + ".gz");
        return Files.isRegularFile(gz) ? gz : null;
    }
}
