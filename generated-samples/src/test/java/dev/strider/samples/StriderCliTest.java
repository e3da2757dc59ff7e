package dev.strider.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.samples.cli.StriderCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StriderCliTest {
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = StriderCli.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void summaryPrintsTheGeneratedTable() {
        Run r = run("summary", "lenet5");
        assertEquals(0, r.code(), r.err());
        assertEquals(LeNet5Spec.summary(), r.out());
    }

    @Test
    void listShowsEverySample() {
        Run r = run("list");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("61,706"), r.out());
        assertTrue(r.out().contains("138,357,544"), r.out());
    }

    @Test
    void unknownNetworkIsAClearErrorNotAStackTrace() {
        Run r = run("summary", "lenet6");
        assertEquals(2, r.code());
        assertEquals("Unknown network 'lenet6'. Known networks: lenet5, conv-exercise, alexnet, vgg16.\n", r.err());
    }
}
