package dev.strider.runtime.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A network's kernels as the processor packaged them: the CUDA C source ({@code META-INF/strider/<network>.cu},
 * always there) and the PTX that {@code nvcc} compiled at build time ({@code .ptx}, there when the build had
 * {@code -Astrider.nvcc} and an {@code nvcc}).
 *
 * @param network the network's qualified name
 * @param cuda the {@code .cu} source
 * @param ptx the PTX, or null when the build had no {@code nvcc}
 */
public record ModuleSource(String network, String cuda, String ptx) {
    /** The resources of {@code network} beside {@code anchor} (a generated class of the same build). */
    public static ModuleSource fromResources(Class<?> anchor, String network) {
        String cu = read(anchor, "META-INF/strider/" + network + ".cu");
        if (cu == null) {
            throw new CudaUnavailableException("the resource META-INF/strider/" + network + ".cu is missing from the classpath "
                    + "(it is written by Strider's processor beside the generated classes)");
        }
        return new ModuleSource(network, cu, read(anchor, "META-INF/strider/" + network + ".ptx"));
    }

    private static String read(Class<?> anchor, String path) {
        ClassLoader loader = anchor.getClassLoader() != null ? anchor.getClassLoader() : ClassLoader.getSystemClassLoader();
        try (InputStream in = loader.getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + path, e);
        }
    }
}
