package dev.strider.tests.cuda;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import dev.strider.processor.StriderProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -Astrider.nvcc}: PTX built and packaged at compile time with {@code auto} (nvcc is on this machine's PATH),
 * nothing with the default, and a clear error on the network, never an exception, when the given nvcc is missing or
 * fails.
 */
class PtxOptionTest {
    private static final String PTX = "META-INF/strider/test.Tiny.ptx";

    private static JavaFileObject tiny() {
        return JavaFileObjects.forSourceLines("test.Tiny",
                "package test;",
                "import dev.strider.dsl.*;",
                "@Network(maxBatch = 2)",
                "@Input(channels = 1, height = 6, width = 6)",
                "public abstract class Tiny {",
                "    @Conv(filters = 2, kernel = 3, activation = Activation.RELU) Layer conv;",
                "    @Dense(units = 3) Layer fc;",
                "}");
    }

    private static Compilation compile(String... options) {
        return Compiler.javac().withProcessors(new StriderProcessor()).withOptions((Object[]) options).compile(tiny());
    }

    @Test
    void autoPackagesThePtxOfTheNetwork() throws IOException {
        Compilation c = compile("-Astrider.nvcc=auto");
        assertThat(c).succeededWithoutWarnings();
        String ptx = new String(c.generatedFile(StandardLocation.CLASS_OUTPUT, "", PTX).orElseThrow()
                .openInputStream().readAllBytes());
        assertThat(ptx).contains(".target sm_75");
        assertThat(ptx).contains(".entry conv_forward(");
        assertThat(ptx).contains(".entry fc_backward_input(");
        assertThat(ptx).contains(".entry strider_adam(");
    }

    @Test
    void offByDefault() {
        Compilation c = compile();
        assertThat(c).succeededWithoutWarnings();
        assertFalse(c.generatedFile(StandardLocation.CLASS_OUTPUT, "", PTX).isPresent());
    }

    @Test
    void aMissingNvccIsAnErrorOnTheNetwork() {
        Compilation c = compile("-Astrider.nvcc=/nonexistent/nvcc");
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("[strider] -Astrider.nvcc=/nonexistent/nvcc is not an executable file "
                + "(give its path, auto, or off)").inFile(tiny()).onLineContaining("public abstract class Tiny");
    }

    @Test
    void aFailingNvccIsAnErrorWithItsOutput(@TempDir Path dir) throws IOException {
        Path fake = dir.resolve("nvcc");
        Files.writeString(fake, "#!/bin/sh\necho 'fatal: out of licences'\nexit 3\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Compilation c = compile("-Astrider.nvcc=" + fake);
        assertThat(c).failed();
        assertThat(c).hadErrorContaining("[strider] the CUDA source of Tiny did not compile to PTX: " + fake
                + " failed (exit 3): fatal: out of licences");
    }
}
