/**
 * The engine contract ({@link dev.strider.runtime.engine.Engine}), the base class generated engines extend
 * ({@link dev.strider.runtime.engine.GeneratedEngine}), named tensors ({@link dev.strider.runtime.engine.Parameter})
 * and the small shared kernels.
 */
package dev.strider.runtime.engine;
