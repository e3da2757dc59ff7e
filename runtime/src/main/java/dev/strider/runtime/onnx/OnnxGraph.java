package dev.strider.runtime.onnx;

import com.google.protobuf.ByteString;
import dev.strider.runtime.onnx.proto.Onnx.AttributeProto;
import dev.strider.runtime.onnx.proto.Onnx.ModelProto;
import dev.strider.runtime.onnx.proto.Onnx.NodeProto;
import dev.strider.runtime.onnx.proto.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The read side of the ONNX import: a model's constant tensors (initializers, {@code Constant} nodes and
 * {@code Identity} copies of them) as numbers, and typed access to a node's attributes.
 */
final class OnnxGraph {
    /** A constant tensor: its dimensions and values (integers are held as doubles: shapes and indices fit). */
    record Constant(long[] dims, double[] values) {
        int size() {
            return values.length;
        }

        float[] floats() {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            return f;
        }

        String shape() {
            return Arrays.toString(dims);
        }
    }

    final ModelProto model;
    final Map<String, Constant> constants = new HashMap<>();
    /** The default domain's opset. */
    final long opset;

    OnnxGraph(ModelProto model) {
        this.model = model;
        long v = 1;
        for (var o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                v = o.getVersion();
            }
        }
        this.opset = v;
        for (TensorProto t : model.getGraph().getInitializerList()) {
            Constant c = constant(t);
            if (c != null) {
                constants.put(t.getName(), c);
            }
        }
    }

    /** The values of {@code t}, or null for a type the import does not read (strings, complex numbers) or external data. */
    static Constant constant(TensorProto t) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            return null;
        }
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            return null;
        }
        double[] v = new double[(int) n];
        ByteString raw = t.getRawData();
        ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean hasRaw = !raw.isEmpty();
        switch (t.getDataType()) {
            case 1 -> { // FLOAT
                if (!fits(hasRaw ? raw.size() : t.getFloatDataCount(), hasRaw ? 4 : 1, v.length)) {
                    return null;
                }
                for (int i = 0; i < v.length; i++) {
                    v[i] = hasRaw ? b.getFloat(4 * i) : t.getFloatData(i);
                }
            }
            case 11 -> { // DOUBLE
                if (!fits(hasRaw ? raw.size() : t.getDoubleDataCount(), hasRaw ? 8 : 1, v.length)) {
                    return null;
                }
                for (int i = 0; i < v.length; i++) {
                    v[i] = hasRaw ? b.getDouble(8 * i) : t.getDoubleData(i);
                }
            }
            case 7 -> { // INT64
                if (!fits(hasRaw ? raw.size() : t.getInt64DataCount(), hasRaw ? 8 : 1, v.length)) {
                    return null;
                }
                for (int i = 0; i < v.length; i++) {
                    v[i] = hasRaw ? b.getLong(8 * i) : t.getInt64Data(i);
                }
            }
            case 6 -> { // INT32
                if (!fits(hasRaw ? raw.size() : t.getInt32DataCount(), hasRaw ? 4 : 1, v.length)) {
                    return null;
                }
                for (int i = 0; i < v.length; i++) {
                    v[i] = hasRaw ? b.getInt(4 * i) : t.getInt32Data(i);
                }
            }
            default -> {
                return null;
            }
        }
        return new Constant(dims, v);
    }

    private static boolean fits(long have, int width, int needed) {
        return have == (long) needed * width;
    }

    // ---- attributes

    static AttributeProto attribute(NodeProto node, String name) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    static long integer(NodeProto node, String name, long fallback) {
        AttributeProto a = attribute(node, name);
        return a == null ? fallback : a.getI();
    }

    static float real(NodeProto node, String name, float fallback) {
        AttributeProto a = attribute(node, name);
        return a == null ? fallback : a.getF();
    }

    static String text(NodeProto node, String name, String fallback) {
        AttributeProto a = attribute(node, name);
        return a == null ? fallback : a.getS().toStringUtf8();
    }

    static long[] integers(NodeProto node, String name, long[] fallback) {
        AttributeProto a = attribute(node, name);
        return a == null ? fallback : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }
}
