package dev.strider.runtime.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The child process of {@link SaveCrashTest}: saves ever newer versions of one {@link FakeEngine} to the same file
 * with {@link Weights#save}, and prints each version's number once its save has returned, until it is killed.
 * Arguments: the file, the first version.
 */
final class SaveLoop {
    /** The engine's inputs: its weight [2, 2,000,000] makes a 16 MB file. */
    static final int INPUTS = 2_000_000;

    private SaveLoop() {}

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        FakeEngine engine = new FakeEngine(INPUTS, 0);
        for (int version = Integer.parseInt(args[1]); ; version++) {
            engine.setValues(version);
            Weights.save(engine, file);
            System.out.println(version);
            System.out.flush();
        }
    }
}
