/**
 * Diagnostics: the message catalog with stable ids ({@link dev.strider.processor.diag.Message}) and the
 * per-network {@link dev.strider.processor.diag.Report} every phase writes to. Javac-free; the step that prints
 * a report to the compiler lives in {@code validate}.
 */
package dev.strider.processor.diag;
