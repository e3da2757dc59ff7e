package dev.strider.runtime.cuda;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Turns a network's {@link ModuleSource} into the image the driver loads ({@code cuModuleLoadData}).
 * {@link #standard()}: the PTX packaged at build time; else the {@code .cu} compiled by an {@code nvcc} on the
 * {@code PATH}, cached by the source's SHA-256 under {@code $XDG_CACHE_HOME/strider/ptx} (or
 * {@code ~/.cache/strider/ptx}); else the GPU cannot be used, and the exception says why.
 */
@FunctionalInterface
public interface ModuleLoader {
    /** The module image: PTX text (NUL-terminated), cubin or fatbin bytes. */
    byte[] image(ModuleSource module);

    /** Packaged PTX, else {@code nvcc} from the {@code PATH} with a cache, else {@link CudaUnavailableException}. */
    static ModuleLoader standard() {
        return module -> module.ptx() != null ? terminated(module.ptx()) : terminated(NvccCache.ptx(module));
    }

    /** Text with the terminating NUL the driver expects of PTX. */
    static byte[] terminated(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    /** PTX compiled on first use from the {@code .cu} source, cached by content hash. */
    final class NvccCache {
        /** The oldest architecture nvcc 13 accepts; drivers JIT it for newer GPUs. The build uses the same. */
        static final String ARCH = "compute_75";

        private NvccCache() {}

        static String ptx(ModuleSource module) {
            Path nvcc = findOnPath("nvcc");
            String hash = sha256(ARCH + "\n" + module.cuda());
            Path cache = cacheDir().resolve(hash + ".ptx");
            try {
                if (Files.isRegularFile(cache)) {
                    return Files.readString(cache);
                }
                if (nvcc == null) {
                    throw new CudaUnavailableException("the build packaged no PTX for " + module.network()
                            + " (it ran without -Astrider.nvcc) and no nvcc is on the PATH to compile its .cu file");
                }
                Files.createDirectories(cache.getParent());
                Path dir = Files.createTempDirectory(cache.getParent(), "nvcc-");
                try {
                    Path cu = dir.resolve("network.cu");
                    Path ptx = dir.resolve("network.ptx");
                    Path log = dir.resolve("nvcc.log");
                    Files.writeString(cu, module.cuda());
                    Process p = new ProcessBuilder(List.of(nvcc.toString(), "-ptx", "-arch=" + ARCH, "-o", ptx.toString(), cu.toString()))
                            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                    if (!p.waitFor(120, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        throw new CudaUnavailableException(nvcc + " took more than 120 s to compile " + module.network());
                    }
                    if (p.exitValue() != 0) {
                        throw new CudaUnavailableException(nvcc + " failed on " + module.network() + " (exit " + p.exitValue() + "): "
                                + Files.readString(log).strip());
                    }
                    Files.move(ptx, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    return Files.readString(cache);
                } finally {
                    try (var files = Files.list(dir)) {
                        for (Path f : files.toList()) {
                            Files.deleteIfExists(f);
                        }
                    }
                    Files.deleteIfExists(dir);
                }
            } catch (IOException e) {
                throw new CudaUnavailableException("cannot compile " + module.network() + "'s kernels with " + nvcc + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CudaUnavailableException("interrupted while nvcc compiled " + module.network(), e);
            }
        }

        static Path cacheDir() {
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
            return base.resolve("strider").resolve("ptx");
        }

        static Path findOnPath(String program) {
            String path = System.getenv("PATH");
            if (path == null) {
                return null;
            }
            for (String dir : path.split(File.pathSeparator)) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
            return null;
        }

        private static String sha256(String text) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK lacks SHA-256", e);
            }
        }
    }
}
