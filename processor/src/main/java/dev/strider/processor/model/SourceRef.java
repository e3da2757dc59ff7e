package dev.strider.processor.model;

/**
 * An opaque handle to where something was declared: a network's class, a layer's field and annotation. The
 * {@code read} phase creates them from compiler elements; diagnostics carry them back so that an error found
 * deep in the graph still points at the annotation value at fault. Unit tests use {@link #named(String)}.
 */
public interface SourceRef {
    /** A short human description, e.g. {@code LeNet5.c1}. */
    String describe();

    /** A reference with no source position, for tests and synthetic nodes. */
    static SourceRef named(String description) {
        return () -> description;
    }
}
