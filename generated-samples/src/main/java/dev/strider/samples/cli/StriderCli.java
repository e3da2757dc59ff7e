package dev.strider.samples.cli;

import dev.strider.runtime.report.NetworkReport;
import dev.strider.samples.Samples;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The samples' command line: {@code java -jar strider-samples.jar <command>}. */
@Command(name = "strider-samples", mixinStandardHelpOptions = true, version = "Strider samples 0.1.0",
        description = "Sample networks declared with the Strider DSL and checked at compile time.",
        subcommands = {StriderCli.ListCommand.class, StriderCli.SummaryCommand.class, TrainCommand.class, EvaluateCommand.class,
            PredictCommand.class, ExportCommand.class, CheckWeightsCommand.class,
            DiagramCommand.class, TransferCommand.class, ImportCommand.class})
public final class StriderCli implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return new CommandLine(new StriderCli()).execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    @Command(name = "list", description = "Lists the sample networks with their parameters and MACs.")
    static final class ListCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-14s %-28s %15s %18s%n", "name", "input -> output", "params", "MACs/image");
            for (Samples s : Samples.values()) {
                NetworkReport r = NetworkReport.load(s.declaration().getName(), StriderCli.class.getClassLoader());
                out.printf(Locale.ROOT, "%-14s %-28s %,15d %,18d%n", s.cliName(), dims(r.input()) + " -> " + dims(r.output()), r.params(), r.macs());
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "summary", description = "Prints a network's summary: shapes, parameters, MACs, receptive fields, memory.")
    static final class SummaryCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "<network>", description = "One of: ${COMPLETION-CANDIDATES}", completionCandidates = Names.class)
        String network;

        @Override
        public Integer call() {
            var sample = Samples.byName(network);
            if (sample.isEmpty()) {
                spec.commandLine().getErr().println("Unknown network '" + network + "'. Known networks: " + String.join(", ", Samples.names()) + ".");
                return 2;
            }
            spec.commandLine().getOut().print(sample.get().summary());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    private static String dims(java.util.List<Long> dims) {
        return dims.toString().replace(" ", "");
    }

    /** Completion candidates: the sample names. */
    static final class Names implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Samples.names().iterator();
        }
    }
}
