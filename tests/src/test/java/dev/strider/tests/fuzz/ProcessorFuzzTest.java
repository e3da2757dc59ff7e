package dev.strider.tests.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the annotation processor: generated network declarations, valid and invalid, compiled through
 * {@code StriderProcessor} and {@code LocalNetworkProcessor} with the options every test uses ({@code --release 17},
 * {@code -Xlint:all,-processing}).
 *
 * <p>The oracles (details in {@link FuzzRun}, {@link EngineCheck}):
 * <ul>
 *   <li>no declaration may crash the compiler or the processor ({@code [strider/internal-error]}, a stack trace, an
 *       error in generated code);</li>
 *   <li>a declaration valid by construction ({@link LayerChain}: shapes computed with the documented rules,
 *       {@link ShapeRules}) compiles without any error or warning but the one it was built to have, and its generated
 *       engine, loaded from the compilation's class files, has the sizes, parameter and MAC counts the generator
 *       computed and runs forward, backward and a training step with finite results; the smooth ones among them also
 *       pass a finite-difference check of the input gradient;</li>
 *   <li>a declaration with a known defect ({@link Defects}, or an annotation on the wrong element, or a plain compile
 *       error elsewhere in the file) gets exactly the documented errors on the lines of the values, annotations,
 *       fields or classes at fault;</li>
 *   <li>a random declaration ({@link UndecidedNetworks}) either gets errors or compiles to an engine that runs
 *       finitely.</li>
 * </ul>
 * It prints one line, {@code fuzz: seed S, tried N, valid V, invalid I, undecided U, crashes C (...)}.
 *
 * <p>System properties: {@code strider.fuzz.seed} (default a fixed seed, so CI is deterministic; {@code random} for a
 * new one, printed), {@code strider.fuzz.count} (default 1000; a nightly run might use 10000),
 * {@code strider.fuzz.only} (comma-separated indices: regenerate and check just those, from a failure message),
 * {@code strider.fuzz.batch} (declarations per compilation, default 25), {@code strider.fuzz.threads} (default the
 * number of processors), {@code strider.fuzz.dump} (a directory to write every declaration's source to) and
 * {@code strider.fuzz.report} (where every failure is written in full, default {@code target/strider-fuzz-failures.txt};
 * the assertion message shows the first ten), {@code strider.fuzz.knownBugs} (also generate the triggers of the
 * processor bugs listed in {@link KnownBugs}).
 */
class ProcessorFuzzTest {
    static final long DEFAULT_SEED = 20_240_917L;
    static final int DEFAULT_COUNT = 1000;

    @Test
    void generatedDeclarationsCompileAsTheDocumentationSays() throws InterruptedException {
        String seedProperty = System.getProperty("strider.fuzz.seed", Long.toString(DEFAULT_SEED));
        long seed = seedProperty.equals("random") ? System.nanoTime() : Long.parseLong(seedProperty);
        DeclarationGenerator generator = new DeclarationGenerator(seed);
        List<Declaration> declarations = indices().stream().map(generator::generate).toList();
        dump(declarations);

        long start = System.nanoTime();
        Tally tally = new Tally(seed);
        new FuzzRun(seed, tally).run(declarations, Integer.getInteger("strider.fuzz.batch", 25),
                Integer.getInteger("strider.fuzz.threads", Runtime.getRuntime().availableProcessors()));
        String summary = tally.summary(declarations, (System.nanoTime() - start) / 1e9);
        System.out.println(summary);

        List<Tally.Failure> failures = tally.failures();
        writeReport(summary, failures);
        String report = failures.stream().limit(10).map(Tally.Failure::report).collect(Collectors.joining("\n"))
                + (failures.size() > 10 ? "\n... and " + (failures.size() - 10) + " more: #" + failures.stream().skip(10)
                        .map(f -> Integer.toString(f.index())).collect(Collectors.joining(", #")) : "");
        assertEquals(0, tally.crashes(), () -> summary + "\n" + report);
        assertTrue(failures.isEmpty(), () -> summary + "\n" + report);
    }

    /** With {@code -Dstrider.fuzz.dump=DIR}: every declaration's source under DIR, to compile it by hand. */
    private static void dump(List<Declaration> declarations) {
        String dir = System.getProperty("strider.fuzz.dump", "");
        if (dir.isBlank()) {
            return;
        }
        try {
            for (Declaration d : declarations) {
                Path file = Path.of(dir, d.file().replace('.', '/') + ".java");
                Files.createDirectories(file.getParent());
                Files.write(file, d.lines());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every failure in full, in {@code strider.fuzz.report} (default {@code target/strider-fuzz-failures.txt}). */
    private static void writeReport(String summary, List<Tally.Failure> failures) {
        Path file = Path.of(System.getProperty("strider.fuzz.report", "target/strider-fuzz-failures.txt"));
        try {
            if (failures.isEmpty()) {
                Files.deleteIfExists(file);
            } else {
                Files.createDirectories(file.toAbsolutePath().getParent());
                String all = failures.stream().map(Tally.Failure::report).collect(Collectors.joining("\n"));
                Files.writeString(file, summary + "\n\n" + all);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Integer> indices() {
        String only = System.getProperty("strider.fuzz.only", "");
        if (!only.isBlank()) {
            return Arrays.stream(only.split(",")).map(String::trim).map(Integer::valueOf).toList();
        }
        return IntStream.range(0, Integer.getInteger("strider.fuzz.count", DEFAULT_COUNT)).boxed().toList();
    }
}
