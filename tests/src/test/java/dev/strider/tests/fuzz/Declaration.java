package dev.strider.tests.fuzz;

import java.util.List;

/**
 * One generated source file and what the generator knows about it: its {@link Category} (which decides the oracle
 * and which other declarations it may share a compilation with), the diagnostics it must produce, and for a network
 * that must compile, what its engine must look like.
 *
 * @param index       position in the run; with the seed it regenerates this declaration alone
 * @param file        qualified name of the source file's top-level class ({@code fuzz.Fz12})
 * @param lines       the source text
 * @param category    what the generator decided about its validity
 * @param description what was generated, for failure messages ({@code "valid: 4 layers"}, {@code "defect: ..."})
 * @param errors      errors it must report (each matched by at least one error, and no other error allowed)
 * @param warnings    warnings it must report (checked the same way) when it compiles
 * @param engine      for declarations that must compile: the engine to load and run; {@code null} otherwise
 * @param exact       whether {@code errors} are all the errors it may report (else others are allowed besides them)
 */
record Declaration(int index, String file, List<String> lines, Category category, String description,
        List<Expected> errors, List<Expected> warnings, EngineSpec engine, boolean exact) {

    /** What the generator knows about a declaration's validity; also the compilations it may be batched into. */
    enum Category {
        /** Valid by construction: compiles with no diagnostic but the expected warnings, and its engine runs. */
        VALID,
        /** Exactly the expected {@code [strider/...]} errors, on the expected lines. */
        STRIDER_ERROR,
        /**
         * A plain javac error that javac reports before annotation processing (an annotation on the wrong kind of
         * element). Such an error stops processing for the whole compilation, so these go into compilations of their own.
         */
        JAVAC_ERROR_BEFORE_PROCESSING,
        /**
         * A valid network next to a type that does not resolve in a method signature: javac reports it after
         * processing, and attributes no method body after it. It cannot hide processor errors (they come first), so
         * these share compilations with {@link #STRIDER_ERROR}.
         */
        JAVAC_ERROR_AFTER_PROCESSING,
        /**
         * A valid network next to an ordinary compile error that javac finds when it attributes method bodies and
         * initializers (in the network class or another class of the file): the processor must stay silent and javac
         * must report just that error. Any earlier error stops javac before attribution, so these go into compilations
         * of their own.
         */
        JAVAC_ERROR_IN_ATTRIBUTION,
        /** Random values: no crash, and either a clean compile whose engine runs, or errors. */
        UNDECIDED;

        /** The category whose compilations this one shares (see each category for why). */
        Category batchedWith() {
            return this == JAVAC_ERROR_AFTER_PROCESSING ? STRIDER_ERROR : this;
        }
    }

    /**
     * An expected diagnostic: its id ({@code "fractional-output"} for {@code [strider/fractional-output]}), or
     * {@code null} for a plain javac error, on a 1-based line of the declaration's file.
     */
    record Expected(String id, int line) {
        boolean matches(String message, long diagnosticLine) {
            boolean idMatches = id == null ? !message.contains("[strider") : message.contains("[strider/" + id + "]");
            return idMatches && diagnosticLine == line;
        }

        @Override
        public String toString() {
            return (id == null ? "a javac error" : "[strider/" + id + "]") + " on line " + line;
        }
    }

    /**
     * The engine a compiling declaration generates and what the generator computed for it; {@code -1} where it does
     * not know (undecided declarations).
     *
     * @param engineClass binary name of the generated engine class
     * @param inputSize   values per input image
     * @param outputSize  values per output
     * @param params      trainable parameters
     * @param nonTrainableParams batch-norm running statistics
     * @param macs        multiply-accumulates per image
     * @param maxBatch    the network's maxBatch
     * @param meanSquaredError whether it trains with mean squared error (targets) rather than softmax cross-entropy (labels)
     * @param smooth      no kinks (no ReLU family, no max pooling): its input gradient is checked by finite differences
     */
    record EngineSpec(String engineClass, long inputSize, long outputSize, long params, long nonTrainableParams, long macs,
            int maxBatch, boolean meanSquaredError, boolean smooth) {}

    /** The source with line numbers, for failure messages. */
    String numberedSource() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            s.append(String.format("%4d  %s%n", i + 1, lines.get(i)));
        }
        return s.toString();
    }
}
