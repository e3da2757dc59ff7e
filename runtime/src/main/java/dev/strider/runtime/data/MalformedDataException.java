package dev.strider.runtime.data;

import java.io.IOException;

/**
 * A data file that cannot be what it claims to be: a wrong magic number, data type or dimension count, a file
 * shorter or longer than its header declares, a corrupt gzip stream, a label outside the classes. The message names
 * the file, the expected and the actual value. (Not called {@code DataFormatException}, so as not to be confused
 * with {@link java.util.zip.DataFormatException}, which is no {@link IOException}.)
 */
public class MalformedDataException extends IOException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the file. */
    public MalformedDataException(String message) {
        super(message);
    }

    /** An exception with {@code message} and its {@code cause}. */
    public MalformedDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
