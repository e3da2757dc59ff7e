/**
 * The read phase: the only code that touches DSL annotation mirrors. It turns a {@code @Network} class into a
 * javac-free {@link dev.strider.processor.model.NetworkDecl}, keeping each layer's element and annotation in a
 * {@link dev.strider.processor.read.JavacSourceRef} so later phases can report on the exact annotation value.
 */
package dev.strider.processor.read;
