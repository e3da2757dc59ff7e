package dev.strider.runtime.io;

import java.io.IOException;
import java.util.List;

/**
 * A weights file that does not fit the engine: names missing or extra, dtypes or shapes that differ. Lists every
 * mismatch, not just the first; when it is thrown, nothing has been loaded.
 */
public class WeightsMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> mismatches;

    /** An exception whose message is {@code summary} followed by each of {@code mismatches} on its own line. */
    public WeightsMismatchException(String summary, List<String> mismatches) {
        super(summary + "\n  " + String.join("\n  ", mismatches));
        this.mismatches = List.copyOf(mismatches);
    }

    /** Each mismatch, one line each, in the engine's parameter order, then the file's extra tensors. */
    public List<String> mismatches() {
        return mismatches;
    }
}
