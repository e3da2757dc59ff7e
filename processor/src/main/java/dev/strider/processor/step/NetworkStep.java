package dev.strider.processor.step;

import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.TypeSpec;
import dev.strider.processor.Options;
import dev.strider.processor.codegen.cuda.CudaGenerator;
import dev.strider.processor.codegen.cuda.CudaProgram;
import dev.strider.processor.codegen.java.CudaEngineGenerator;
import dev.strider.processor.codegen.java.EngineGenerator;
import dev.strider.processor.codegen.java.SpecGenerator;
import dev.strider.processor.codegen.report.DotDiagram;
import dev.strider.processor.codegen.report.JsonReport;
import dev.strider.processor.codegen.report.SummaryTable;
import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.lower.EngineArray;
import dev.strider.processor.lower.EnginePlan;
import dev.strider.processor.lower.Lowering;
import dev.strider.processor.read.NetworkReader;
import dev.strider.processor.validate.CheckedNetwork;
import dev.strider.processor.validate.DiagnosticPrinter;
import dev.strider.processor.validate.NetworkChecker;
import java.io.IOException;
import java.io.Writer;
import java.util.Map;
import javax.annotation.processing.Filer;
import javax.annotation.processing.FilerException;
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
    private NetworkReader.Unresolved unresolved;

    public NetworkStep(ProcessingEnvironment env) {
        this.reader = new NetworkReader(env.getElementUtils());
        this.messager = env.getMessager();
        this.printer = new DiagnosticPrinter(messager);
        this.filer = env.getFiler();
        this.options = env.getOptions();
    }

    /** After a {@link Outcome#DEFERRED} outcome: what could not be resolved. */
    public NetworkReader.Unresolved unresolved() {
        return unresolved;
    }

    public Outcome process(TypeElement type) throws IOException {
        long start = System.nanoTime();
        Report report = new Report();
        NetworkReader.Result read = reader.read(type, report);
        if (read instanceof NetworkReader.Unresolved u) {
            unresolved = u;
            return Outcome.DEFERRED;
        }
        CheckedNetwork checked = read instanceof NetworkReader.Read r ? NetworkChecker.check(r.decl(), report) : null;
        printer.print(report);
        if (checked == null) {
            return Outcome.INVALID;
        }
        long checkedAt = System.nanoTime();
        EnginePlan plan = Lowering.lower(checked);
        if (!withinArrayLimit(plan) || !withinMemoryLimit(plan, type)) {
            return Outcome.INVALID;
        }
        String summary = SummaryTable.render(checked, plan);
        CudaProgram program = CudaGenerator.generate(plan);
        if (!write(checked, SpecGenerator.generate(checked, summary, type), type)
                || !write(checked, EngineGenerator.generate(plan, type), type)
                || !write(checked, CudaEngineGenerator.generate(plan, program, type), type)) {
            return Outcome.INVALID;
        }
        String name = checked.decl().qualifiedName();
        String cuda = program.source();
        if (!writeResource(checked, JsonReport.resourcePath(name), JsonReport.render(checked, plan), type)
                || !writeResource(checked, CudaGenerator.resourcePath(name), cuda, type)
                || !writeResource(checked, DotDiagram.resourcePath(name), DotDiagram.render(checked), type)
                || !writePtx(checked, cuda, type)) {
            return Outcome.INVALID;
        }
        if (Options.SUMMARY.isSet(options)) {
            messager.printMessage(Kind.NOTE, "Strider summary of " + checked.decl().simpleName() + ":\n" + summary, type);
        }
        if (Options.TIMING.isSet(options)) {
            int layers = checked.layers().size();
            messager.printMessage(Kind.NOTE, String.format(java.util.Locale.ROOT,
                    "Strider checked and generated %s (%d layer%s): checked in %.1f ms, generated in %.1f ms",
                    checked.decl().qualifiedName(), layers, layers == 1 ? "" : "s", (checkedAt - start) / 1e6,
                    (System.nanoTime() - checkedAt) / 1e6), type);
        }
        return Outcome.GENERATED;
    }

    /** Whether every array of the engine fits a Java array; if not, a size-overflow error on each layer at fault. */
    private boolean withinArrayLimit(EnginePlan plan) {
        Report report = new Report();
        boolean fit = plan.checkArrayLengths(report);
        printer.print(report);
        return fit;
    }

    /**
     * Whether the engine's arrays fit the limit of {@code -Astrider.maxEngineMemory}; if not, an error on
     * {@code maxBatch} with the breakdown and the largest batch that would fit.
     */
    private boolean withinMemoryLimit(EnginePlan plan, TypeElement type) {
        long limit = Options.MAX_ENGINE_MEMORY.bytes(options, Options.DEFAULT_MAX_ENGINE_MEMORY);
        if (limit < 0) {
            messager.printMessage(Kind.ERROR, "[strider] -A" + Options.MAX_ENGINE_MEMORY.key() + "="
                    + options.get(Options.MAX_ENGINE_MEMORY.key()) + " is not a size: give bytes, or a number with k, m or g (e.g. 4g)");
            return false;
        }
        long bytes = plan.engineBytes();
        if (bytes <= limit) {
            return true;
        }
        long fixed = plan.engineBytes(0);
        long perImage = plan.engineBytes(1) - fixed;
        long fits = perImage == 0 ? 0 : (limit - fixed) / perImage;
        String fix = fits >= 1
                ? String.format(java.util.Locale.ROOT, "maxBatch = %,d fits; or raise the limit.", fits)
                : "Even one image does not fit (the weights alone take " + SummaryTable.bytes(fixed) + "): raise the limit or shrink the network.";
        Report report = new Report();
        var d = plan.network().decl();
        report.add(Message.ENGINE_TOO_LARGE, d.networkRef(), "maxBatch", d.simpleName(), SummaryTable.bytes(bytes), d.maxBatch(),
                SummaryTable.bytes(plan.engineBytes(EngineArray.Role.WEIGHTS)), SummaryTable.bytes(plan.engineBytes(EngineArray.Role.ACTIVATIONS)),
                SummaryTable.bytes(plan.engineBytes(EngineArray.Role.SCRATCH)), SummaryTable.bytes(limit), fix);
        printer.print(report);
        return false;
    }

    /**
     * With {@code -Astrider.nvcc}, compiles the CUDA source to PTX and writes it next to it; a failure is an error
     * on the network (nvcc's output included), never an exception.
     */
    private boolean writePtx(CheckedNetwork checked, String cuda, TypeElement type) throws IOException {
        java.util.Optional<PtxCompiler> compiler;
        try {
            compiler = PtxCompiler.forOption(options.get(Options.NVCC.key()));
        } catch (IllegalArgumentException e) {
            messager.printMessage(Kind.ERROR, "[strider] " + e.getMessage(), type);
            return false;
        }
        if (compiler.isEmpty()) {
            return true;
        }
        String ptx;
        try {
            ptx = compiler.get().compile(checked.decl().simpleName(), cuda);
        } catch (IOException e) {
            messager.printMessage(Kind.ERROR, "[strider] the CUDA source of " + checked.decl().simpleName()
                    + " did not compile to PTX: " + e.getMessage(), type);
            return false;
        }
        String path = CudaGenerator.resourcePath(checked.decl().qualifiedName()).replaceAll("\\.cu$", ".ptx");
        return writeResource(checked, path, ptx, type);
    }

    /** Writes a resource into the class output; a path that is already taken is the user's error. */
    private boolean writeResource(CheckedNetwork checked, String path, String content, TypeElement type) throws IOException {
        FileObject file;
        try {
            file = filer.createResource(StandardLocation.CLASS_OUTPUT, "", path, type);
        } catch (FilerException e) {
            nameClash(checked, path, e, type);
            return false;
        }
        try (Writer w = file.openWriter()) {
            w.write(content);
        }
        return true;
    }

    /** Writes a generated source; a name that is already taken is the user's error, not an internal one. */
    private boolean write(CheckedNetwork checked, JavaFile file, TypeElement type) throws IOException {
        String twice = duplicateMember(file.typeSpec());
        if (twice != null) {
            messager.printMessage(Kind.ERROR, Message.NAME_CLASH.format(checked.decl().simpleName(),
                    file.typeSpec().name() + "." + twice, "two layers' generated members would both be called " + twice
                            + ": rename one of the layers"), type);
            return false;
        }
        try {
            file.writeTo(filer);
            return true;
        } catch (FilerException e) {
            String name = file.packageName().isEmpty() ? file.typeSpec().name() : file.packageName() + "." + file.typeSpec().name();
            nameClash(checked, name, e, type);
            return false;
        }
    }

    /** A field or method (by name and arity) the generated class would declare twice, or null. */
    private static String duplicateMember(TypeSpec spec) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (var f : spec.fieldSpecs()) {
            if (!seen.add(f.name())) {
                return f.name();
            }
        }
        for (var m : spec.methodSpecs()) {
            if (!seen.add(m.name() + "/" + m.parameters().size())) {
                return m.name();
            }
        }
        return null;
    }

    private void nameClash(CheckedNetwork checked, String generated, FilerException e, TypeElement type) {
        messager.printMessage(Kind.ERROR, Message.NAME_CLASH.format(checked.decl().simpleName(), generated,
                e.getMessage() == null ? "the compiler's filer refused it" : e.getMessage()), type);
    }
}
