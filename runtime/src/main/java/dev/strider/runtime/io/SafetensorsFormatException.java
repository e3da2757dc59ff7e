package dev.strider.runtime.io;

import java.io.IOException;

/**
 * A file that is not a valid safetensors file, or not one Strider can read. The message names the file, what was
 * expected and what was found. {@link Safetensors#read} throws no other exception for bad content.
 */
public class SafetensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the file. */
    public SafetensorsFormatException(String message) {
        super(message);
    }

    /** An exception with {@code message} and its {@code cause}. */
    public SafetensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
