package dev.strider.runtime.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named tensor of a safetensors file: its type, its shape and its values in row-major order, held in the Java
 * array of its type ({@code float[]} for F32, {@code double[]} for F64, {@code int[]} for I32, {@code long[]} for I64).
 *
 * <p>The factories do not copy the array, and {@link #floats()}, {@link #doubles()}, {@link #ints()} and
 * {@link #longs()} return the tensor's own array when it already has the type asked for, so that saving or loading
 * large weights copies nothing twice; other types are converted into a new array.
 */
public final class Tensor {
    private static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    private final String name;
    private final DType dtype;
    private final int[] shape;
    private final Object data;
    private final int size;

    private Tensor(String name, DType dtype, int[] shape, Object data, int length) {
        this.name = Objects.requireNonNull(name, "name");
        this.dtype = dtype;
        this.shape = shape.clone();
        long n = 1;
        for (int d : this.shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            n *= d;
            if (n > MAX_VALUES) {
                throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape) + " holds more values than a Java array");
            }
        }
        if (n != length) {
            throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape) + " holds " + n + " values, but the "
                    + dtype + " array has " + length);
        }
        this.data = data;
        this.size = length;
    }

    /** An F32 tensor over {@code data} (not copied). */
    public static Tensor f32(String name, int[] shape, float[] data) {
        return new Tensor(name, DType.F32, shape, data, data.length);
    }

    /** An F64 tensor over {@code data} (not copied). */
    public static Tensor f64(String name, int[] shape, double[] data) {
        return new Tensor(name, DType.F64, shape, data, data.length);
    }

    /** An I32 tensor over {@code data} (not copied). */
    public static Tensor i32(String name, int[] shape, int[] data) {
        return new Tensor(name, DType.I32, shape, data, data.length);
    }

    /** An I64 tensor over {@code data} (not copied). */
    public static Tensor i64(String name, int[] shape, long[] data) {
        return new Tensor(name, DType.I64, shape, data, data.length);
    }

    /** The tensor's name in the file, e.g. {@code c1.weight}. */
    public String name() {
        return name;
    }

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** The dimensions (a copy); {@code []} for a scalar. */
    public int[] shape() {
        return shape.clone();
    }

    /** The number of values: the product of the dimensions. */
    public int size() {
        return size;
    }

    /** The values as floats: the tensor's own array for F32, else converted (rounded to nearest) into a new one. */
    public float[] floats() {
        switch (dtype) {
            case F32:
                return (float[]) data;
            case F64: {
                double[] d = (double[]) data;
                float[] out = new float[size];
                for (int i = 0; i < size; i++) {
                    out[i] = (float) d[i];
                }
                return out;
            }
            case I32: {
                int[] d = (int[]) data;
                float[] out = new float[size];
                for (int i = 0; i < size; i++) {
                    out[i] = d[i];
                }
                return out;
            }
            default: {
                long[] d = (long[]) data;
                float[] out = new float[size];
                for (int i = 0; i < size; i++) {
                    out[i] = d[i];
                }
                return out;
            }
        }
    }

    /** The values as doubles: the tensor's own array for F64, else converted (exactly, except I64 beyond 2^53). */
    public double[] doubles() {
        switch (dtype) {
            case F64:
                return (double[]) data;
            case F32: {
                float[] d = (float[]) data;
                double[] out = new double[size];
                for (int i = 0; i < size; i++) {
                    out[i] = d[i];
                }
                return out;
            }
            case I32: {
                int[] d = (int[]) data;
                double[] out = new double[size];
                for (int i = 0; i < size; i++) {
                    out[i] = d[i];
                }
                return out;
            }
            default: {
                long[] d = (long[]) data;
                double[] out = new double[size];
                for (int i = 0; i < size; i++) {
                    out[i] = d[i];
                }
                return out;
            }
        }
    }

    /**
     * The values as ints: the tensor's own array for I32; I64 converted if every value fits.
     *
     * @throws IllegalStateException for a floating-point tensor, or an I64 value outside the int range
     */
    public int[] ints() {
        if (dtype == DType.I32) {
            return (int[]) data;
        }
        if (dtype != DType.I64) {
            throw new IllegalStateException("tensor " + name + " is " + dtype + ", not an integer type (I32 or I64)");
        }
        long[] d = (long[]) data;
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            if (d[i] != (int) d[i]) {
                throw new IllegalStateException("tensor " + name + ": value " + i + " is " + d[i] + ", outside the int range");
            }
            out[i] = (int) d[i];
        }
        return out;
    }

    /**
     * The values as longs: the tensor's own array for I64, I32 widened.
     *
     * @throws IllegalStateException for a floating-point tensor
     */
    public long[] longs() {
        if (dtype == DType.I64) {
            return (long[]) data;
        }
        if (dtype != DType.I32) {
            throw new IllegalStateException("tensor " + name + " is " + dtype + ", not an integer type (I32 or I64)");
        }
        int[] d = (int[]) data;
        long[] out = new long[size];
        for (int i = 0; i < size; i++) {
            out[i] = d[i];
        }
        return out;
    }

    /** The raw array: float[], double[], int[] or long[] according to {@link #dtype()}. */
    Object array() {
        return data;
    }

    /** The number of bytes of the values. */
    long byteSize() {
        return (long) size * dtype.bytes();
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
