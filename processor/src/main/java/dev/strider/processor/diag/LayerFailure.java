package dev.strider.processor.diag;

/** Wraps an unexpected exception raised while handling one layer, so the internal-error message can name it. */
public final class LayerFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String layer;

    public LayerFailure(String layer, Throwable cause) {
        super(cause);
        this.layer = layer;
    }

    public String layer() {
        return layer;
    }
}
