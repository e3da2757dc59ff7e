package dev.strider.processor.model;

/**
 * The resolved geometry of a sliding-window layer at a given input: output size and the padding actually applied
 * on each side (equal on both sides unless the padding is SAME or the rounding is CEIL).
 */
public record Geometry(long outH, long outW, int padTop, int padLeft, int padBottom, int padRight) {}
