package dev.strider.tests.fuzz;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import dev.strider.processor.LocalNetworkProcessor;
import dev.strider.processor.StriderProcessor;
import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.tests.fuzz.Declaration.Category;
import dev.strider.tests.fuzz.Declaration.Expected;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.annotation.processing.Processor;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;

/**
 * Compiles generated declarations through the Strider processor, several to a compilation, and applies each one's
 * oracle to the diagnostics of its own file:
 *
 * <ul>
 *   <li>every compilation: the compiler does not throw (a throwing batch is split until the declaration that makes it
 *       throw is found), no diagnostic carries {@code [strider/internal-error]} or a stack trace, the local-network
 *       scan does not give up, and javac finds no error in generated code;</li>
 *   <li>{@link Category#VALID}: no error and exactly the expected warnings in its file; then the engine is loaded from
 *       the compilation's class files and run ({@link EngineCheck});</li>
 *   <li>invalid categories: every expected error, on its line, and (when the declaration says it is exact) no other
 *       error in its file;</li>
 *   <li>{@link Category#UNDECIDED}: errors in its file, or none, and then (compiled again together with the other clean
 *       ones) an engine that runs finitely.</li>
 * </ul>
 *
 * <p>Declarations are batched by category because javac couples the files of one compilation: an error javac reports
 * before processing (an annotation on the wrong element) stops annotation processing for all of them, and a processor
 * error stops javac before it attributes method bodies, hiding their errors in the other files. Within a category
 * nothing couples them, and every diagnostic is attributed to its file.
 */
final class FuzzRun {
    private static final List<String> OPTIONS = List.of("--release", "17", "-Xlint:all,-processing", "-Xmaxerrs", "100000",
            "-Xmaxwarns", "100000");
    /** Compilations that may succeed also print each network's summary table (as notes), to exercise its rendering. */
    private static final String SUMMARY = "-Astrider.summary=true";
    /** Undecided networks may be huge: an engine over this limit is a [strider/engine-too-large] error instead. */
    private static final String UNDECIDED_MEMORY_LIMIT = "-Astrider.maxEngineMemory=16m";
    /** An undecided engine with more multiply-accumulates than this per batch is compiled but not run. */
    private static final long MAX_MACS_TO_RUN = 50_000_000L;
    private static final Pattern STACK_FRAME = Pattern.compile("\\n\\s+at [\\w$.<>]+\\(");

    private final long seed;
    private final Tally tally;

    FuzzRun(long seed, Tally tally) {
        this.seed = seed;
        this.tally = tally;
    }

    /** Checks every declaration; compilations run on {@code threads} threads. */
    void run(List<Declaration> declarations, int batchSize, int threads) throws InterruptedException {
        Map<Category, List<Declaration>> byCategory = new EnumMap<>(Category.class);
        for (Declaration d : declarations) {
            byCategory.computeIfAbsent(d.category().batchedWith(), c -> new ArrayList<>()).add(d);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> batches = new ArrayList<>();
            byCategory.forEach((category, all) -> {
                for (int from = 0; from < all.size(); from += batchSize) {
                    List<Declaration> batch = all.subList(from, Math.min(all.size(), from + batchSize));
                    batches.add(pool.submit(() -> check(category, batch)));
                }
            });
            for (Future<?> f : batches) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("the fuzz test itself failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private void check(Category category, List<Declaration> batch) {
        switch (category) {
            case VALID -> checkValid(batch);
            case UNDECIDED -> checkUndecided(batch);
            default -> {
                for (Piece piece : compile(batch, OPTIONS)) {
                    piece.members.forEach(d -> tally.problems(d, expectErrors(d, piece.own(d)), piece));
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ categories

    private void checkValid(List<Declaration> batch) {
        List<String> options = new ArrayList<>(OPTIONS);
        options.add(SUMMARY);
        for (Piece piece : compile(batch, options)) {
            List<Declaration> clean = new ArrayList<>();
            for (Declaration d : piece.members) {
                List<String> problems = expectValid(d, piece.own(d));
                tally.problems(d, problems, piece);
                if (problems.isEmpty() && !piece.crashed.contains(d)) {
                    clean.add(d);
                }
            }
            if (piece.compilation.status() == Compilation.Status.SUCCESS) {
                runEngines(piece, clean);
            } else if (!clean.isEmpty() && clean.size() < piece.members.size()) {
                checkValid(clean); // the others again, without the declarations that failed, to run their engines
            } else if (!clean.isEmpty()) {
                clean.forEach(d -> tally.problems(d, List.of("the compilation failed, but not with an error in any file"), piece));
            }
        }
    }

    private void checkUndecided(List<Declaration> batch) {
        List<String> options = new ArrayList<>(OPTIONS);
        options.add(UNDECIDED_MEMORY_LIMIT);
        options.add(SUMMARY);
        List<Declaration> clean = new ArrayList<>();
        for (Piece piece : compile(batch, options)) {
            for (Declaration d : piece.members) {
                List<String> errors = piece.own(d).stream().filter(x -> x.getKind() == Diagnostic.Kind.ERROR)
                        .map(x -> x.getMessage(Locale.ROOT)).toList();
                if (errors.isEmpty()) {
                    clean.add(d);
                }
                boolean strider = errors.stream().anyMatch(m -> m.contains("[strider/"));
                tally.undecided(errors.isEmpty() ? Tally.Outcome.COMPILED : strider ? Tally.Outcome.REJECTED : Tally.Outcome.JAVAC_ERROR);
            }
        }
        if (clean.isEmpty()) {
            return;
        }
        for (Piece piece : compile(clean, options)) {
            if (piece.compilation.status() == Compilation.Status.SUCCESS) {
                runEngines(piece, piece.members);
            } else {
                piece.members.forEach(d -> tally.problems(d, List.of("compiled without errors in its first batch, but not "
                        + "again with the other clean ones: " + piece.describe(d)), piece));
            }
        }
    }

    private void runEngines(Piece piece, List<Declaration> declarations) {
        GeneratedClasses classes = new GeneratedClasses(piece.compilation);
        for (Declaration d : declarations) {
            List<String> problems;
            try {
                GeneratedEngine engine = (GeneratedEngine) classes.instantiate(d.engine().engineClass());
                String spec = d.engine().engineClass().replaceAll("Engine$", "Spec");
                long macs = (Long) classes.staticField(spec, "MACS");
                if (d.category() == Category.UNDECIDED && macs * Math.min(engine.maxBatch(), 4) > MAX_MACS_TO_RUN) {
                    tally.tooLargeToRun();
                    continue;
                }
                problems = new ArrayList<>(new EngineCheck(engine, d.engine(), seed ^ d.index()).run(d.engine().smooth()));
                expectConstant(problems, spec, "MACS", macs, d.engine().macs());
                expectConstant(problems, spec, "NON_TRAINABLE_PARAMS", (Long) classes.staticField(spec, "NON_TRAINABLE_PARAMS"),
                        d.engine().nonTrainableParams());
                tally.engineRan(d.engine().smooth());
            } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
                problems = List.of("cannot load or instantiate " + d.engine().engineClass() + ": " + e);
            }
            tally.problems(d, problems, piece);
        }
    }

    private static void expectConstant(List<String> problems, String spec, String name, long actual, long expected) {
        if (expected >= 0 && actual != expected) {
            problems.add(spec + "." + name + " is " + actual + ", but the declaration gives " + expected);
        }
    }

    // ------------------------------------------------------------------------------------------------ oracles

    /** A valid declaration: no error, exactly the expected warnings. */
    static List<String> expectValid(Declaration d, List<Diagnostic<? extends JavaFileObject>> own) {
        List<String> problems = new ArrayList<>();
        List<Diagnostic<? extends JavaFileObject>> warnings = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> x : own) {
            if (x.getKind() == Diagnostic.Kind.ERROR) {
                problems.add("unexpected error on line " + x.getLineNumber() + ": " + x.getMessage(Locale.ROOT));
            } else if (x.getKind() == Diagnostic.Kind.WARNING || x.getKind() == Diagnostic.Kind.MANDATORY_WARNING) {
                warnings.add(x);
            }
        }
        problems.addAll(match(d.warnings(), warnings, true, "warning"));
        return problems;
    }

    /** An invalid declaration: every expected error, and no other when the declaration is exact. */
    static List<String> expectErrors(Declaration d, List<Diagnostic<? extends JavaFileObject>> own) {
        List<Diagnostic<? extends JavaFileObject>> errors = own.stream().filter(x -> x.getKind() == Diagnostic.Kind.ERROR).toList();
        if (errors.isEmpty()) {
            return List.of("no error, but expected " + d.errors());
        }
        return match(d.errors(), errors, d.exact(), "error");
    }

    /** Each expectation is matched by a diagnostic; if {@code exact}, each diagnostic matches an expectation. */
    private static List<String> match(List<Expected> expected, List<Diagnostic<? extends JavaFileObject>> found, boolean exact,
            String kind) {
        List<String> problems = new ArrayList<>();
        for (Expected e : expected) {
            if (found.stream().noneMatch(x -> e.matches(x.getMessage(Locale.ROOT), x.getLineNumber()))) {
                problems.add("missing: " + e);
            }
        }
        if (exact) {
            for (Diagnostic<? extends JavaFileObject> x : found) {
                if (expected.stream().noneMatch(e -> e.matches(x.getMessage(Locale.ROOT), x.getLineNumber()))) {
                    problems.add("unexpected " + kind + " on line " + x.getLineNumber() + ": " + x.getMessage(Locale.ROOT));
                }
            }
        }
        return problems;
    }

    // ------------------------------------------------------------------------------------------------ compiling

    /** One compilation and the declarations in it. */
    static final class Piece {
        final List<Declaration> members;
        final Map<URI, Declaration> byFile;
        final Map<Declaration, JavaFileObject> files;
        final Compilation compilation;
        /** Members found to crash the processor or make it generate code javac rejects. */
        final Set<Declaration> crashed = new HashSet<>();

        Piece(List<Declaration> members, Map<Declaration, JavaFileObject> files, Compilation compilation) {
            this.members = members;
            this.files = files;
            this.byFile = files.entrySet().stream().collect(Collectors.toMap(e -> e.getValue().toUri(), Map.Entry::getKey));
            this.compilation = compilation;
        }

        /** The diagnostics reported on {@code d}'s file. */
        List<Diagnostic<? extends JavaFileObject>> own(Declaration d) {
            URI file = files.get(d).toUri();
            return compilation.diagnostics().stream()
                    .filter(x -> x.getSource() != null && x.getSource().toUri().equals(file)).toList();
        }

        String describe(Declaration d) {
            return own(d).stream().map(FuzzRun::describe).collect(Collectors.joining("; "));
        }
    }

    /**
     * Compiles {@code batch}. When the compiler throws, the batch is split and compiled in halves until the
     * declarations that make it throw are found (each is a crash) and the others are compiled without them.
     */
    private List<Piece> compile(List<Declaration> batch, List<String> options) {
        Map<Declaration, JavaFileObject> files = new LinkedHashMap<>();
        for (Declaration d : batch) {
            files.put(d, JavaSource.File.toFileObject(d.file(), d.lines()));
        }
        Compilation compilation;
        try {
            // StriderProcessor first: the order in which a local network used to go unreported (it claims the DSL's
            // annotations, and javac then never calls LocalNetworkProcessor); either order must report it now
            List<Processor> processors = List.of(new StriderProcessor(), new LocalNetworkProcessor());
            compilation = Compiler.javac().withProcessors(processors).withOptions(options).compile(files.values());
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
            if (batch.size() == 1) {
                tally.crash(batch.get(0), "the compiler threw " + stackTrace(e));
                return List.of();
            }
            List<Piece> pieces = new ArrayList<>(compile(batch.subList(0, batch.size() / 2), options));
            pieces.addAll(compile(batch.subList(batch.size() / 2, batch.size()), options));
            return pieces;
        }
        Piece piece = new Piece(batch, files, compilation);
        findCrashes(piece);
        return List.of(piece);
    }

    /**
     * Crashes: internal errors, stack traces, a failed local-network scan, errors in generated code or outside any file.
     * A warning in generated code or outside any file is a failure of the declaration it belongs to.
     */
    private void findCrashes(Piece piece) {
        for (Diagnostic<? extends JavaFileObject> x : piece.compilation.diagnostics()) {
            String text = x.getMessage(Locale.ROOT);
            Declaration d = x.getSource() == null ? null : piece.byFile.get(x.getSource().toUri());
            Declaration culprit = null;
            String what = describe(x);
            if (text.contains("[strider/internal-error]") || STACK_FRAME.matcher(text).find()
                    || text.contains("could not scan for local @Network classes")) {
                culprit = d != null ? d : piece.members.get(0);
            } else if (d == null && x.getKind() != Diagnostic.Kind.NOTE) {
                Declaration owner = x.getSource() == null ? piece.members.get(0) : generatorOf(piece, x.getSource());
                String where = x.getSource() == null ? "outside any file" : "in generated code " + x.getSource().getName();
                what = x.getKind() + " " + where + ": " + what;
                if (x.getKind() == Diagnostic.Kind.ERROR) {
                    culprit = owner;
                } else {
                    tally.problems(owner, List.of(what), piece);
                }
            }
            if (culprit != null) {
                piece.crashed.add(culprit);
                tally.crash(culprit, what);
            }
        }
    }

    /** The declaration whose generated file {@code generated} is ({@code Fz00012Engine.java} belongs to {@code Fz00012}). */
    private static Declaration generatorOf(Piece piece, JavaFileObject generated) {
        String path = generated.toUri().getPath();
        String simple = path.substring(path.lastIndexOf('/') + 1);
        return piece.members.stream().filter(d -> simple.startsWith(d.file().substring(d.file().lastIndexOf('.') + 1)))
                .findFirst().orElse(piece.members.get(0));
    }

    static String describe(Diagnostic<? extends JavaFileObject> x) {
        return x.getKind() + " line " + x.getLineNumber() + ": " + x.getMessage(Locale.ROOT);
    }

    private static String stackTrace(Throwable e) {
        StringWriter s = new StringWriter();
        e.printStackTrace(new PrintWriter(s));
        return s.toString();
    }
}
