package dev.strider.tests;

import static com.google.common.truth.Truth.assertThat;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.strider.tests.Compilers.contents;
import static dev.strider.tests.Compilers.generatedSource;
import static dev.strider.tests.Compilers.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.strider.runtime.report.NetworkReport;
import dev.strider.tests.cuda.Nvcc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every {@code .java} file of the samples module ({@code strider.samples.dir}) in one compilation through
 * the processor, as a user's build would (the CLI there refers to the generated specs, so everything goes together),
 * and checks that it is clean and that each {@code @Network} sample got its spec and its JSON report.
 */
class SamplesCompileTest {
    private static final Pattern NETWORK = Pattern.compile("(?m)^\\s*@Network\\s*\\(");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
    private static final Pattern EXPECT_PARAMS = Pattern.compile("expectParams\\s*=\\s*([0-9_]+)");

    /** One sample network: its qualified name and its declared {@code expectParams} ({@code -1} when none). */
    private record Sample(String qualifiedName, long expectParams) {}

    private static List<JavaFileObject> sources;
    private static List<Sample> samples;
    private static Compilation compilation;

    @BeforeAll
    static void compileAllSamples() throws IOException {
        String dir = System.getProperty("strider.samples.dir");
        assertNotNull(dir, "system property strider.samples.dir is not set (see tests/pom.xml)");
        Path root = Path.of(dir);
        assertTrue(Files.isDirectory(root), () -> root + " is not a directory");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
        sources = new ArrayList<>();
        samples = new ArrayList<>();
        for (Path file : files) {
            sources.add(toSource(file));
            String text = Files.readString(file);
            if (NETWORK.matcher(text).find()) {
                Matcher pkg = PACKAGE.matcher(text);
                String name = file.getFileName().toString().replace(".java", "");
                String qualified = pkg.find() ? pkg.group(1) + "." + name : name;
                Matcher expect = EXPECT_PARAMS.matcher(text);
                samples.add(new Sample(qualified, expect.find() ? Long.parseLong(expect.group(1).replace("_", "")) : -1));
            }
        }
        compilation = Compilers.compile(sources.toArray(JavaFileObject[]::new));
    }

    private static JavaFileObject toSource(Path file) {
        try {
            return JavaFileObjects.forResource(file.toUri().toURL());
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void samplesDirectoryHoldsNetworks() {
        assertFalse(samples.isEmpty(), "no @Network class found among " + sources);
        assertThat(samples.stream().map(Sample::qualifiedName).toList()).contains("dev.strider.samples.LeNet5");
    }

    @Test
    void everySampleCompilesWithoutWarnings() {
        assertThat(compilation).succeededWithoutWarnings();
    }

    @Test
    void everySampleGotItsSpecAndItsReport() {
        assertThat(compilation).succeeded();
        for (Sample s : samples) {
            String simple = s.qualifiedName().substring(s.qualifiedName().lastIndexOf('.') + 1);
            assertThat(compilation).generatedSourceFile(s.qualifiedName() + "Spec");
            String spec = generatedSource(compilation, s.qualifiedName() + "Spec");
            assertThat(spec).contains("@Generated(\"dev.strider.processor.StriderProcessor\")");
            assertThat(spec).contains("class " + simple + "Spec {");

            NetworkReport r = report(compilation, s.qualifiedName()); // META-INF/strider/<fqn>.json
            assertEquals(s.qualifiedName(), r.qualifiedName());
            assertEquals(simple, r.name());
            assertFalse(r.layers().isEmpty());
            // The report and the spec agree with each other and with the declared expectation.
            assertThat(spec).contains("public static final long PARAMS = " + String.format(java.util.Locale.ROOT, "%,d", r.params()).replace(',', '_') + "L;");
            if (s.expectParams() >= 0) {
                assertEquals(s.expectParams(), r.params(), s.qualifiedName() + " params");
            }
        }
    }

    @Test
    void everySamplesCudaCompilesWithNvccWithoutWarningsOrSpills(@TempDir Path dir) throws Exception {
        assertThat(compilation).succeeded();
        Map<String, String> sources = new java.util.LinkedHashMap<>();
        for (Sample s : samples) {
            String cu = contents(compilation.generatedFile(StandardLocation.CLASS_OUTPUT, "",
                    "META-INF/strider/" + s.qualifiedName() + ".cu").orElseThrow());
            assertThat(cu).contains("extern \"C\" __global__ void");
            sources.put(s.qualifiedName().substring(s.qualifiedName().lastIndexOf('.') + 1), cu);
        }
        // The samples' build compiled each .cu to PTX for compute_75 with warnings as errors (-Astrider.nvcc=auto) and
        // packaged it next to the .cu; the same processor wrote the same .cu here. What is left is sm_90 and the host.
        for (Sample s : samples) {
            ClassLoader jar = SamplesCompileTest.class.getClassLoader();
            String base = "META-INF/strider/" + s.qualifiedName();
            try (var packaged = jar.getResourceAsStream(base + ".cu"); var ptx = jar.getResourceAsStream(base + ".ptx")) {
                assertNotNull(packaged, base + ".cu is not in the samples jar");
                assertNotNull(ptx, base + ".ptx is not in the samples jar (the build's nvcc did not run)");
                String simple = s.qualifiedName().substring(s.qualifiedName().lastIndexOf('.') + 1);
                assertEquals(sources.get(simple), new String(packaged.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
                        base + ".cu in the jar is not what the processor writes now");
                assertTrue(new String(ptx.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).contains(".target sm_75"), base + ".ptx");
            }
        }
        // nvcc is single-threaded: the samples compile side by side, each into its own files
        sources.entrySet().parallelStream().forEach(e -> {
            try {
                Nvcc.compileForSm90(dir, e.getKey(), e.getValue());
            } catch (java.io.IOException | InterruptedException x) {
                throw new AssertionError(e.getKey() + ": " + x, x);
            }
        });
    }

    @Test
    void reportsHoldTheWellKnownCounts() {
        // Spot checks against published figures (torchvision / the LeNet-5 arithmetic), where the sample exists.
        for (Sample s : samples) {
            NetworkReport r = report(compilation, s.qualifiedName());
            switch (s.qualifiedName()) {
                case "dev.strider.samples.LeNet5" -> {
                    assertEquals(61_706, r.params());
                    assertEquals(416_520, r.macs());
                    assertEquals(List.of(10L), r.output());
                }
                case "dev.strider.samples.AlexNet" -> {
                    assertEquals(61_100_840, r.params());
                    assertEquals(List.of(64L, 55L, 55L), r.layer("conv1").out());
                    assertEquals(List.of(256L, 6L, 6L), r.layer("pool5").out());
                }
                case "dev.strider.samples.Vgg16" -> {
                    assertEquals(138_357_544, r.params());
                    assertEquals(List.of(512L, 7L, 7L), r.layer("pool5").out());
                }
                case "dev.strider.samples.ConvExercise" -> {
                    assertEquals(760, r.params());
                    assertEquals(List.of(10L, 32L, 32L), r.output());
                }
                default -> { }
            }
        }
    }
}
