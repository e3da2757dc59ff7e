package dev.strider.processor.step;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code nvcc} on a generated CUDA source to get PTX for compute capability 7.5 (the oldest nvcc 13 accepts;
 * newer drivers JIT it for newer GPUs). Used at build time when {@code -Astrider.nvcc} asks for it.
 */
final class PtxCompiler {
    /** PTX target: runs on every GPU from Turing on. */
    static final String ARCH = "compute_75";
    private static final long TIMEOUT_SECONDS = 120;

    private final Path nvcc;

    private PtxCompiler(Path nvcc) {
        this.nvcc = nvcc;
    }

    /**
     * The compiler an option value asks for: empty for {@code off} (or no value), and for {@code auto} when no
     * {@code nvcc} is on the {@code PATH}.
     *
     * @throws IllegalArgumentException when an explicit path is not an executable file
     */
    static Optional<PtxCompiler> forOption(String value) {
        if (value == null || value.isBlank() || value.equals("off")) {
            return Optional.empty();
        }
        if (value.equals("auto")) {
            String path = System.getenv("PATH");
            if (path == null) {
                return Optional.empty();
            }
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, "nvcc");
                if (Files.isExecutable(candidate)) {
                    return Optional.of(new PtxCompiler(candidate));
                }
            }
            return Optional.empty();
        }
        Path explicit = Path.of(value);
        if (!Files.isRegularFile(explicit) || !Files.isExecutable(explicit)) {
            throw new IllegalArgumentException("-Astrider.nvcc=" + value + " is not an executable file (give its path, auto, or off)");
        }
        return Optional.of(new PtxCompiler(explicit));
    }

    /**
     * The PTX of {@code cuda}.
     *
     * @throws IOException with nvcc's own output when it fails or takes too long
     */
    String compile(String name, String cuda) throws IOException {
        Path dir = Files.createTempDirectory("strider-nvcc");
        try {
            Path source = dir.resolve(name + ".cu");
            Path ptx = dir.resolve(name + ".ptx");
            Files.writeString(source, cuda, StandardCharsets.UTF_8);
            Path logFile = dir.resolve("nvcc.log");   // a file, not a pipe: a long log cannot block nvcc
            Process p = new ProcessBuilder(List.of(nvcc.toString(), "-ptx", "-arch=" + ARCH, "-Werror", "all-warnings",
                    "-o", ptx.toString(), source.toString())).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
            String log;
            try {
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(nvcc + " took more than " + TIMEOUT_SECONDS + " s");
                }
                log = Files.readString(logFile, StandardCharsets.UTF_8);
                if (log.length() > 4000) {
                    log = log.substring(0, 4000) + " ...";
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while " + nvcc + " ran", e);
            }
            if (p.exitValue() != 0) {
                throw new IOException(nvcc + " failed (exit " + p.exitValue() + "): " + log.strip());
            }
            return Files.readString(ptx, StandardCharsets.UTF_8);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    @Override
    public String toString() {
        return nvcc.toString();
    }
}
