/**
 * The javac-free model of a declaration: what the user wrote ({@link dev.strider.processor.model.NetworkDecl},
 * {@link dev.strider.processor.model.LayerDecl}) and the values shape inference works with
 * ({@link dev.strider.processor.model.Shape}, {@link dev.strider.processor.model.ReceptiveField}). Source
 * positions travel as opaque {@link dev.strider.processor.model.SourceRef}s. Nothing here imports the compiler
 * API, JavaPoet or code generation.
 */
package dev.strider.processor.model;
