package dev.strider.runtime.io;

/**
 * The safetensors element types Strider reads and writes, little-endian. Declared in the reference
 * implementation's order, which is increasing alignment: writers put the most aligned tensors first.
 */
public enum DType {
    /** 32-bit signed integer. */
    I32(4),
    /** 32-bit IEEE float. */
    F32(4),
    /** 64-bit IEEE float. */
    F64(8),
    /** 64-bit signed integer. */
    I64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The type called {@code name} in a header, or null if Strider does not support it. */
    static DType of(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
