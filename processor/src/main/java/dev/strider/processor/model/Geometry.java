package dev.strider.processor.model;

/**
 * The resolved geometry of a sliding-window layer at a given input: output size and the padding on each side (equal
 * on both sides unless the padding is SAME; under CEIL the last window may reach past the padding and is clipped).
 */
public record Geometry(long outH, long outW, int padTop, int padLeft, int padBottom, int padRight) {}
