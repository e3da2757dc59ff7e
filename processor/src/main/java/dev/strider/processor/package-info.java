/**
 * The Strider annotation processor. Data flows through the packages in this order:
 * {@code read} (annotation mirrors to declarations) -> {@code model} (javac-free declarations and shapes) ->
 * {@code layer} (one class per layer kind: values, shape rule, counts) -> {@code validate} (whole-network checks,
 * printing diagnostics) -> {@code codegen} (generated Java and reports). {@code diag} holds the message catalog
 * and reports; {@code step} runs one network through the phases.
 */
package dev.strider.processor;
