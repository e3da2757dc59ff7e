package dev.strider.samples.cli;

import dev.strider.runtime.report.NetworkReport;
import dev.strider.samples.Samples;
import guru.nidi.graphviz.engine.Format;
import guru.nidi.graphviz.engine.Graphviz;
import guru.nidi.graphviz.engine.GraphvizCmdLineEngine;
import guru.nidi.graphviz.engine.GraphvizV8Engine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code diagram <network> -o FILE}: the processor's Graphviz diagram of a network ({@code META-INF/strider/<fqn>.dot}),
 * written as DOT, or rendered to SVG or PNG by graphviz-java (with Graphviz's {@code dot} when it is installed, else
 * with viz.js on the V8 engine graphviz-java brings).
 */
@Command(name = "diagram", description = "Draws a network: layers with their settings and parameters, shapes on the edges, merges as merges. "
        + "The output's extension picks the format: .svg, .png or .dot.")
final class DiagramCommand implements Callable<Integer> {
    @Mixin
    CliSupport.Common common;

    @Parameters(paramLabel = "<network>", description = "The sample to draw.")
    String network;

    @Option(names = {"-o", "--output"}, required = true, description = "The file to write: .svg, .png or .dot.")
    Path output;

    @Option(names = "--width", defaultValue = "1200", description = "Width in pixels of a PNG (default: ${DEFAULT-VALUE}).")
    int width;

    @Override
    public Integer call() throws Exception {
        return common.run(() -> {
            Samples sample = CliSupport.sample(network);
            String dot = dot(sample);
            String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".dot") || name.endsWith(".gv")) {
                Files.writeString(output, dot);
            } else if (name.endsWith(".svg") || name.endsWith(".png")) {
                Graphviz.useEngine(new GraphvizCmdLineEngine(), new GraphvizV8Engine());
                var graph = Graphviz.fromString(dot);
                if (name.endsWith(".png")) {
                    graph.width(width).render(Format.PNG).toFile(output.toFile());
                } else {
                    graph.render(Format.SVG).toFile(output.toFile());
                }
            } else {
                throw new CliSupport.UserError("Cannot tell the format of " + output + ": end the name with .svg, .png or .dot");
            }
            int layers = NetworkReport.load(sample.declaration().getName(), DiagramCommand.class.getClassLoader()).layers().size();
            common.out().printf(Locale.ROOT, "wrote %s: %s, %d layers (%,d bytes)%n", output, sample.declaration().getSimpleName(), layers,
                    Files.size(output));
            common.out().flush();
            return 0;
        });
    }

    private static String dot(Samples sample) throws IOException {
        String path = "META-INF/strider/" + sample.declaration().getName() + ".dot";
        try (InputStream in = DiagramCommand.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new CliSupport.UserError("No diagram " + path + " on the class path: was " + sample.declaration().getName()
                        + " compiled with this version of strider-processor?");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
