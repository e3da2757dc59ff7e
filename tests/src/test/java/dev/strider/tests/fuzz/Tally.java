package dev.strider.tests.fuzz;

import dev.strider.tests.fuzz.Declaration.Category;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a fuzz run found, collected from the compiling threads: counts, and every failure with what it takes to
 * reproduce it (seed, index, the source with line numbers, the diagnostics of its file).
 */
final class Tally {
    /** What became of an undecided declaration. */
    enum Outcome {
        COMPILED, REJECTED, JAVAC_ERROR
    }

    /**
     * One declaration's failure; {@code crash}: the compiler threw, the processor reported an internal error or a stack
     * trace, or javac found an error in the code the processor generated.
     */
    record Failure(int index, boolean crash, String report) {}

    private final long seed;
    private final List<Failure> failures = new ArrayList<>();
    private final Map<Outcome, Integer> undecided = new EnumMap<>(Outcome.class);
    private int enginesRun;
    private int gradientChecked;
    private int tooLargeToRun;

    Tally(long seed) {
        this.seed = seed;
    }

    synchronized void problems(Declaration d, List<String> problems, FuzzRun.Piece piece) {
        if (!problems.isEmpty()) {
            add(new Failure(d.index(), false, report(d, problems, piece.describe(d))));
        }
    }

    synchronized void crash(Declaration d, String what) {
        add(new Failure(d.index(), true, report(d, List.of("CRASH: " + what), "")));
    }

    /** Adds a failure unless the same was found already (a declaration compiled again finds its crash again). */
    private void add(Failure failure) {
        if (!failures.contains(failure)) {
            failures.add(failure);
        }
    }

    synchronized void undecided(Outcome outcome) {
        undecided.merge(outcome, 1, Integer::sum);
    }

    synchronized void engineRan(boolean gradientCheck) {
        enginesRun++;
        gradientChecked += gradientCheck ? 1 : 0;
    }

    synchronized void tooLargeToRun() {
        tooLargeToRun++;
    }

    synchronized List<Failure> failures() {
        List<Failure> sorted = new ArrayList<>(failures);
        sorted.sort(Comparator.comparingInt(Failure::index));
        return sorted;
    }

    synchronized long crashes() {
        return failures.stream().filter(Failure::crash).count();
    }

    /** The one-line summary: {@code fuzz: seed S, tried N, valid V, invalid I, undecided U, crashes C (...)}. */
    synchronized String summary(List<Declaration> declarations, double seconds) {
        Map<Category, Long> counts = declarations.stream()
                .collect(Collectors.groupingBy(Declaration::category, Collectors.counting()));
        long valid = counts.getOrDefault(Category.VALID, 0L);
        long undecidedCount = counts.getOrDefault(Category.UNDECIDED, 0L);
        long warned = declarations.stream().filter(d -> !d.warnings().isEmpty()).count();
        return String.format(java.util.Locale.ROOT,
                "fuzz: seed %d, tried %d, valid %d, invalid %d, undecided %d, crashes %d (engines run %d, gradient-checked %d, "
                        + "valid with an expected warning %d; undecided: %d compiled, %d rejected by strider, %d javac errors, "
                        + "%d compiled but too large to run; failures %d; %.1f s)",
                seed, declarations.size(), valid, declarations.size() - valid - undecidedCount, undecidedCount, crashes(),
                enginesRun, gradientChecked, warned, undecided.getOrDefault(Outcome.COMPILED, 0),
                undecided.getOrDefault(Outcome.REJECTED, 0), undecided.getOrDefault(Outcome.JAVAC_ERROR, 0), tooLargeToRun,
                failures.size(), seconds);
    }

    private String report(Declaration d, List<String> problems, String diagnostics) {
        return "#" + d.index() + " " + d.category() + " (" + d.description() + "), " + d.file() + "; reproduce with "
                + "-Dstrider.fuzz.seed=" + seed + " -Dstrider.fuzz.only=" + d.index() + "\n  "
                + String.join("\n  ", problems)
                + (diagnostics.isEmpty() ? "" : "\n  its diagnostics: " + diagnostics)
                + (d.errors().isEmpty() ? "" : "\n  expected errors: " + d.errors())
                + (d.warnings().isEmpty() ? "" : "\n  expected warnings: " + d.warnings())
                + "\n" + d.numberedSource();
    }
}
