package dev.strider.processor.diag;

/** How a diagnostic is reported: errors stop code generation, warnings do not. */
public enum Severity {
    ERROR,
    WARNING
}
