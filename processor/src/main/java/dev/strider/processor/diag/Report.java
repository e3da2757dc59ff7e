package dev.strider.processor.diag;

import dev.strider.processor.model.SourceRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Collects every diagnostic of one network. Phases add to it and never stop at the first finding; the pipeline
 * stops between phases when {@link #hasErrors()} (nothing is generated from an invalid model).
 */
public final class Report {
    private final List<Diagnostic> items = new ArrayList<>();

    public void add(Message message, SourceRef where, String attribute, Object... args) {
        items.add(new Diagnostic(message, message.format(args), where, attribute));
    }

    public boolean hasErrors() {
        return items.stream().anyMatch(d -> d.severity() == Severity.ERROR);
    }

    public int errorCount() {
        return (int) items.stream().filter(d -> d.severity() == Severity.ERROR).count();
    }

    public List<Diagnostic> items() {
        return Collections.unmodifiableList(items);
    }
}
