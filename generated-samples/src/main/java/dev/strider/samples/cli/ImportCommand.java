package dev.strider.samples.cli;

import dev.strider.runtime.onnx.ImportedNetwork;
import dev.strider.runtime.onnx.OnnxImport;
import dev.strider.runtime.onnx.OnnxImportException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.lang.model.SourceVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code import model.onnx [--class Name] [--package p] [--max-batch N] [-o DIR] [--weights FILE]}: the annotated
 * declaration of an ONNX model ({@code DIR/<package path>/<Name>.java}) and its weights (by default
 * {@code <Name>.safetensors} next to the model).
 */
@Command(name = "import", description = "Writes the Strider declaration of an ONNX model (one annotated field per layer, "
        + "expectParams filled in) and its weights as safetensors. Every node Strider cannot map is listed in one message.")
final class ImportCommand implements Callable<Integer> {
    @Mixin
    CliSupport.Common common;

    @Parameters(paramLabel = "<model.onnx>", description = "The ONNX model.")
    Path model;

    @Option(names = "--class", description = "The class to declare (default: from the file name, resnet18.onnx -> Resnet18).")
    String className;

    @Option(names = "--package", defaultValue = "", description = "Its package (default: none).")
    String packageName;

    @Option(names = "--max-batch", defaultValue = "0", description = "The largest batch (default: the model's batch when fixed, else 1).")
    int maxBatch;

    @Option(names = {"-o", "--output"}, defaultValue = ".", description = "The source root to write the declaration under (default: .).")
    Path output;

    @Option(names = "--weights", description = "The safetensors file to write the weights to (default: <class>.safetensors next to the model).")
    Path weightsFile;

    @Override
    public Integer call() throws Exception {
        return common.run(() -> {
            String name = className != null ? className : classNameOf(model);
            if (!packageName.isEmpty() && !SourceVersion.isName(packageName)) {
                throw new CliSupport.UserError("--package " + packageName + " is not a Java package name");
            }
            ImportedNetwork net;
            try {
                net = OnnxImport.read(model, name, maxBatch);
            } catch (OnnxImportException e) {
                throw new CliSupport.UserError(e.getMessage());
            }
            Path source = output.resolve(packageName.replace('.', '/')).resolve(name + ".java");
            Files.createDirectories(source.getParent());
            Files.writeString(source, net.javaSource(packageName));
            Path weights = weightsFile != null ? weightsFile : model.toAbsolutePath().resolveSibling(name + ".safetensors");
            net.writeWeights(weights);
            common.out().printf(Locale.ROOT, "wrote %s: %d layers, %,d parameters, max batch %d%n", source, net.layers().size(), net.parameters(),
                    net.maxBatch());
            common.out().printf(Locale.ROOT, "wrote %s: %d tensors (Weights.load(engine, file) once the declaration is compiled)%n", weights,
                    net.tensors().size());
            common.out().flush();
            return 0;
        });
    }

    /** {@code resnet18_folded.onnx} -> {@code Resnet18Folded}. */
    static String classNameOf(Path model) {
        String file = model.getFileName().toString().replaceFirst("\\.onnx$", "");
        StringBuilder out = new StringBuilder();
        boolean upper = true;
        for (char c : file.toCharArray()) {
            if (!Character.isLetterOrDigit(c)) {
                upper = true;
                continue;
            }
            out.append(upper ? Character.toUpperCase(c) : c);
            upper = false;
        }
        if (out.length() == 0 || !Character.isJavaIdentifierStart(out.charAt(0))) {
            out.insert(0, "Model");
        }
        return out.toString();
    }
}
