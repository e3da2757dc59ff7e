package dev.strider.processor.diag;

import dev.strider.processor.model.SourceRef;

/**
 * One finding: the catalogued message, its full text, where it applies, and the annotation value at fault
 * ({@code attribute}, or {@code null} for the annotation or element as a whole).
 */
public record Diagnostic(Message message, String text, SourceRef where, String attribute) {
    public Severity severity() {
        return message.severity();
    }

    @Override
    public String toString() {
        return severity() + " at " + where.describe() + (attribute == null ? "" : "(" + attribute + ")") + ": " + text;
    }
}
