package dev.strider.runtime.onnx;

/**
 * An ONNX model the import cannot turn into a Strider network. The message says why: every node it cannot map (by
 * position, name and operator, with the reason), or what about the file or the graph's input and output does not fit.
 */
public final class OnnxImportException extends RuntimeException {
    public OnnxImportException(String message) {
        super(message);
    }
}
