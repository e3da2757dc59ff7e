package dev.strider.dsl;

/**
 * The type of every layer field in a {@link Network} declaration. The field's annotation says what the layer
 * is; the field's name is the layer's name.
 */
public interface Layer {}
