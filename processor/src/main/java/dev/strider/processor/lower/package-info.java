/**
 * Lowering: a checked network becomes an {@link dev.strider.processor.lower.EnginePlan} of
 * {@link dev.strider.processor.lower.Kernel}s with every constant resolved (geometry, padding, divisors, buffer
 * names, tensors and initialisers). The single place where forward/backward semantics are decided; the Java (and
 * later CUDA) renderers only print it.
 */
package dev.strider.processor.lower;
