/**
 * Weights on disk: a hardened reader and deterministic, atomic writer for the safetensors format
 * ({@link dev.strider.runtime.io.Safetensors}), and saving and loading an engine's parameters
 * ({@link dev.strider.runtime.io.Weights}).
 */
package dev.strider.runtime.io;
