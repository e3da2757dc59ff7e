/**
 * Validation: {@link dev.strider.processor.validate.NetworkChecker} turns a declaration into a
 * {@link dev.strider.processor.validate.CheckedNetwork} (shapes, parameters, MACs, receptive fields) or a report
 * of everything wrong with it; {@link dev.strider.processor.validate.DiagnosticPrinter} prints a report to the
 * compiler on the exact element and annotation value.
 */
package dev.strider.processor.validate;
