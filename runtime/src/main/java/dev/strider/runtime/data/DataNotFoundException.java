package dev.strider.runtime.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** No directory holding the data was found; the message lists every place tried, why each failed, and how to get the data. */
public class DataNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient List<Path> tried;

    /** An exception for the directories {@code tried}, in order. */
    public DataNotFoundException(String message, List<Path> tried) {
        super(message);
        this.tried = List.copyOf(tried);
    }

    /** The directories tried, in order. */
    public List<Path> tried() {
        return tried;
    }
}
