package dev.strider.processor.layer;

/** Bounds beyond which a declared value is taken for a typo rather than a design. */
final class Limits {
    static final int MAX_UNITS = 1 << 24;
    static final int MAX_WINDOW = 1 << 16;
    static final int MAX_PADDING = 1 << 16;

    private Limits() {}
}
