package dev.strider.samples.cli;

import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.io.Weights;
import dev.strider.runtime.onnx.OnnxExport;
import dev.strider.runtime.onnx.proto.Onnx.ModelProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code export <network> [--weights FILE] --output model.onnx}: the network and its weights as an ONNX model. */
@Command(name = "export", description = "Writes a sample network with its weights as an ONNX model (opset 13), e.g. for Netron or ONNX Runtime.")
final class ExportCommand implements Callable<Integer> {
    @Mixin
    CliSupport.Common common;

    @Parameters(paramLabel = "<network>", description = "The sample to export.")
    String network;

    @Option(names = "--weights", description = "Weights written by train --save (safetensors); without it, weights initialised from --seed.")
    Path weights;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the initial weights when no --weights is given (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-o", "--output"}, required = true, description = "The ONNX file to write.")
    Path output;

    @Override
    public Integer call() throws Exception {
        return common.run(() -> {
            GeneratedEngine engine = CliSupport.sample(network).newEngine();
            if (weights != null) {
                Weights.load(engine, weights);
            } else {
                engine.initialize(seed);
            }
            engine.setTraining(false);
            ModelProto model = OnnxExport.model(engine, OnnxExport.reportOf(engine));
            OnnxExport.write(model, output);
            common.out().printf(Locale.ROOT, "wrote %s: %s, opset %d, %d nodes, %d initializers, %,d bytes (%s)%n", output, engine.name(),
                    OnnxExport.OPSET, model.getGraph().getNodeCount(), model.getGraph().getInitializerCount(), Files.size(output),
                    weights != null ? "weights from " + weights : "weights initialised from seed " + seed);
            common.out().flush();
            return 0;
        });
    }
}
