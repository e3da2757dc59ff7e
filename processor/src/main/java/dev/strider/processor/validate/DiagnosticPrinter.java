package dev.strider.processor.validate;

import dev.strider.processor.diag.Diagnostic;
import dev.strider.processor.diag.Report;
import dev.strider.processor.diag.Severity;
import dev.strider.processor.model.SourceRef;
import dev.strider.processor.read.JavacSourceRef;
import java.util.List;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic.Kind;

/**
 * Prints a report to the compiler. Each diagnostic goes on the annotation value the user wrote when there is one
 * (a defaulted value has no source position, so then on the annotation, or on the element). Warnings named in a
 * {@code @SuppressWarnings("strider:<id>")} (or {@code "strider"} for all) on the element or any enclosing element
 * are dropped.
 */
public final class DiagnosticPrinter {
    private final Messager messager;

    public DiagnosticPrinter(Messager messager) {
        this.messager = messager;
    }

    public void print(Report report) {
        for (Diagnostic d : report.items()) {
            print(d);
        }
    }

    public void print(Diagnostic d) {
        SourceRef where = d.where();
        if (!(where instanceof JavacSourceRef ref)) {
            messager.printMessage(kind(d), d.text());
            return;
        }
        if (d.severity() == Severity.WARNING && suppressed(ref.element(), d.message().id())) {
            return;
        }
        AnnotationValue value = ref.explicitValue(d.attribute());
        if (value != null) {
            messager.printMessage(kind(d), d.text(), ref.element(), ref.annotation(), value);
        } else if (ref.annotation() != null) {
            messager.printMessage(kind(d), d.text(), ref.element(), ref.annotation());
        } else {
            messager.printMessage(kind(d), d.text(), ref.element());
        }
    }

    private static Kind kind(Diagnostic d) {
        return d.severity() == Severity.ERROR ? Kind.ERROR : Kind.WARNING;
    }

    static boolean suppressed(Element element, String id) {
        for (Element e = element; e != null; e = e.getEnclosingElement()) {
            SuppressWarnings s = e.getAnnotation(SuppressWarnings.class);
            if (s != null && (List.of(s.value()).contains("strider:" + id) || List.of(s.value()).contains("strider"))) {
                return true;
            }
        }
        return false;
    }
}
