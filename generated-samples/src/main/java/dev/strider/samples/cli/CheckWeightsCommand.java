package dev.strider.samples.cli;

import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.io.TensorNames;
import dev.strider.runtime.io.Weights;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code check-weights <network> FILE [--names strider|torchvision]}: whether a weights file fits a network, every
 * mismatch listed, without running anything. The network is a sample's name or the class name of any declaration on
 * the class path ({@code com.example.MyNet}, whose engine is {@code com.example.MyNetEngine}).
 */
@Command(name = "check-weights", description = "Checks a safetensors weights file against a network's declaration: every missing, "
        + "unexpected or mis-shaped tensor, nothing loaded or run. Exit code 0 when it fits, 1 when not.")
final class CheckWeightsCommand implements Callable<Integer> {
    @Mixin
    CliSupport.Common common;

    @Parameters(index = "0", paramLabel = "<network>", description = "A sample's name, or a declaration's class name.")
    String network;

    @Parameters(index = "1", paramLabel = "FILE", description = "The weights (safetensors).")
    Path file;

    @Option(names = "--names", defaultValue = "strider", description = "How the file names tensors: strider (c1.weight) or torchvision "
            + "(layer1.0.conv1.weight for layer layer1_0_conv1). Default: ${DEFAULT-VALUE}.")
    String names;

    @Override
    public Integer call() throws Exception {
        return common.run(() -> {
            GeneratedEngine engine = engine(network);
            List<String> mismatches = Weights.check(engine, file, TensorNames.named(names));
            if (mismatches.isEmpty()) {
                common.out().println(file + " fits " + engine.name() + ": " + (engine.parameters().size() + engine.buffers().size())
                        + " tensors, every name, dtype and shape as declared");
                common.out().flush();
                return 0;
            }
            common.out().println(file + " does not fit " + engine.name() + " (" + mismatches.size() + (mismatches.size() == 1 ? " mismatch" : " mismatches")
                    + "):");
            mismatches.forEach(m -> common.out().println("  " + m));
            common.out().flush();
            return 1;
        });
    }

    private static GeneratedEngine engine(String network) throws ReflectiveOperationException {
        if (!network.contains(".")) {
            return CliSupport.sample(network).newEngine();
        }
        Class<?> engineClass;
        try {
            engineClass = Class.forName(network + "Engine");
        } catch (ClassNotFoundException e) {
            throw new CliSupport.UserError("No engine " + network + "Engine on the class path: is " + network
                    + " a network declaration compiled with strider-processor?");
        }
        return (GeneratedEngine) engineClass.getDeclaredConstructor().newInstance();
    }
}
