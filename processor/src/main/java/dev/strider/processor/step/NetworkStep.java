package dev.strider.processor.step;

import dev.strider.processor.Options;
import dev.strider.processor.codegen.java.SpecGenerator;
import dev.strider.processor.codegen.report.JsonReport;
import dev.strider.processor.codegen.report.SummaryTable;
import dev.strider.processor.diag.Report;
import dev.strider.processor.read.NetworkReader;
import dev.strider.processor.validate.CheckedNetwork;
import dev.strider.processor.validate.DiagnosticPrinter;
import dev.strider.processor.validate.NetworkChecker;
import java.io.IOException;
import java.io.Writer;
import java.util.Map;
import javax.annotation.processing.Filer;
import javax.annotation.processing.Messager;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic.Kind;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * Processes one {@code @Network} class through the phases: read, check, report, generate. Stops between phases
 * when the report has errors; nothing is generated for an invalid network.
 */
public final class NetworkStep {
    /** What became of one network. */
    public enum Outcome {
        GENERATED,
        INVALID,
        /** A type it mentions is not resolved yet: try again next round. */
        DEFERRED
    }

    private final NetworkReader reader;
    private final DiagnosticPrinter printer;
    private final Filer filer;
    private final Messager messager;
    private final Map<String, String> options;
    private String unresolved;

    public NetworkStep(ProcessingEnvironment env) {
        this.reader = new NetworkReader(env.getElementUtils());
        this.messager = env.getMessager();
        this.printer = new DiagnosticPrinter(messager);
        this.filer = env.getFiler();
        this.options = env.getOptions();
    }

    /** After a {@link Outcome#DEFERRED} outcome: what could not be resolved. */
    public String unresolved() {
        return unresolved;
    }

    public Outcome process(TypeElement type) throws IOException {
        long start = System.nanoTime();
        Report report = new Report();
        NetworkReader.Result read = reader.read(type, report);
        if (read instanceof NetworkReader.Unresolved u) {
            unresolved = u.what();
            return Outcome.DEFERRED;
        }
        CheckedNetwork checked = read instanceof NetworkReader.Read r && !report.hasErrors()
                ? NetworkChecker.check(r.decl(), report)
                : null;
        printer.print(report);
        if (checked == null) {
            return Outcome.INVALID;
        }
        String summary = SummaryTable.render(checked);
        SpecGenerator.generate(checked, summary, type).writeTo(filer);
        FileObject json = filer.createResource(StandardLocation.CLASS_OUTPUT, "",
                JsonReport.resourcePath(checked.decl().qualifiedName()), type);
        try (Writer w = json.openWriter()) {
            w.write(JsonReport.render(checked));
        }
        if (Options.SUMMARY.isSet(options)) {
            messager.printMessage(Kind.NOTE, "Strider summary of " + checked.decl().simpleName() + ":\n" + summary, type);
        }
        if (Options.TIMING.isSet(options)) {
            messager.printMessage(Kind.NOTE, String.format(java.util.Locale.ROOT, "Strider checked and generated %s (%d layers) in %.1f ms",
                    checked.decl().simpleName(), checked.layers().size(), (System.nanoTime() - start) / 1e6), type);
        }
        return Outcome.GENERATED;
    }
}
