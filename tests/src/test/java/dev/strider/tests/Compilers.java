package dev.strider.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import dev.strider.processor.LocalNetworkProcessor;
import dev.strider.processor.StriderProcessor;
import dev.strider.runtime.report.NetworkReport;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;

/**
 * The one way every test compiles: javac with a fresh {@link StriderProcessor} (the processor keeps per-compilation
 * state, so an instance is never shared), {@code --release 17} and every lint but {@code processing}.
 *
 * <p>{@code -Xlint:processing} is left out on purpose, as in the samples' build: the processor returns {@code false}
 * from {@code process} (it does not claim the DSL annotations), so that lint would add the javac warning "No
 * processor claimed any of these annotations" to every compilation and no test could assert "no warnings".
 */
final class Compilers {
    /** The id of the diagnostic the processor reports for its own failures; no test input may trigger it. */
    static final String INTERNAL_ERROR = "[strider/internal-error]";

    private Compilers() {}

    /** javac with the Strider processor, {@code --release 17} and {@code -Xlint:all,-processing}. */
    static Compiler strider(String... extraOptions) {
        List<Object> options = new ArrayList<>(List.of("--release", "17", "-Xlint:all,-processing"));
        options.addAll(Arrays.asList(extraOptions));
        return Compiler.javac().withProcessors(new StriderProcessor(), new LocalNetworkProcessor()).withOptions(options);
    }

    /**
     * Compiles {@code files} through {@link #strider} and fails the test if the processor reported an internal error
     * (a bug in the processor, whatever the input). An exception escaping the compiler fails the test by itself.
     */
    static Compilation compile(JavaFileObject... files) {
        return compileWith(List.of(), files);
    }

    static Compilation compileWith(List<String> options, JavaFileObject... files) {
        Compilation compilation = strider(options.toArray(String[]::new)).compile(files);
        assertNoInternalError(compilation);
        return compilation;
    }

    static void assertNoInternalError(Compilation compilation) {
        for (Diagnostic<? extends JavaFileObject> d : compilation.diagnostics()) {
            String text = d.getMessage(Locale.ROOT);
            if (text.contains(INTERNAL_ERROR)) {
                fail("the processor reported an internal error: " + text + "\nAll diagnostics:\n" + describe(compilation));
            }
        }
    }

    /** {@code test.Foo} in package {@code test}, importing the whole DSL; one string per source line. */
    static JavaFileObject network(String... lines) {
        return source("test.Foo", lines);
    }

    /** A source file named {@code qualifiedName}, in its package, importing the whole DSL. */
    static JavaFileObject source(String qualifiedName, String... lines) {
        String pkg = qualifiedName.substring(0, qualifiedName.lastIndexOf('.'));
        List<String> all = new ArrayList<>();
        all.add("package " + pkg + ";");
        all.add("");
        all.add("import dev.strider.dsl.*;");
        all.add("");
        all.addAll(Arrays.asList(lines));
        return JavaFileObjects.forSourceLines(qualifiedName, all);
    }

    /** The JSON report generated for the network {@code qualifiedName}, parsed by the runtime's reader. */
    static NetworkReport report(Compilation compilation, String qualifiedName) {
        return NetworkReport.parse(new StringReader(jsonText(compilation, qualifiedName)), qualifiedName);
    }

    static String jsonText(Compilation compilation, String qualifiedName) {
        String path = NetworkReport.resourcePath(qualifiedName);
        Optional<JavaFileObject> json = compilation.generatedFile(StandardLocation.CLASS_OUTPUT, "", path);
        assertTrue(json.isPresent(), () -> path + " was not generated; generated: " + compilation.generatedFiles());
        return contents(json.get());
    }

    /** The text of a generated source file, e.g. {@code test.FooSpec}. */
    static String generatedSource(Compilation compilation, String qualifiedName) {
        Optional<JavaFileObject> file = compilation.generatedSourceFile(qualifiedName);
        assertTrue(file.isPresent(), () -> qualifiedName + " was not generated; generated: " + compilation.generatedFiles());
        return contents(file.get());
    }

    static String contents(JavaFileObject file) {
        try {
            return file.getCharContent(true).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The messages of every diagnostic of {@code kind} that contains {@code fragment}. */
    static List<String> messages(Compilation compilation, Diagnostic.Kind kind, String fragment) {
        return compilation.diagnostics().stream()
                .filter(d -> d.getKind() == kind)
                .map(d -> d.getMessage(Locale.ROOT))
                .filter(m -> m.contains(fragment))
                .collect(Collectors.toList());
    }

    /** Every diagnostic, one a line, for failure messages. */
    static String describe(Compilation compilation) {
        return compilation.diagnostics().stream()
                .map(d -> d.getKind() + " line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT))
                .collect(Collectors.joining("\n"));
    }

    /** Asserts exactly one diagnostic of {@code kind} contains {@code fragment}, and returns its message. */
    static String single(Compilation compilation, Diagnostic.Kind kind, String fragment) {
        List<String> found = messages(compilation, kind, fragment);
        assertEquals(1, found.size(), () -> "expected exactly one " + kind + " containing " + fragment + ", got:\n"
                + describe(compilation));
        return found.get(0);
    }
}
