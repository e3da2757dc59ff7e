package dev.strider.samples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * HotSpot does not JIT-compile methods over 8,000 bytes of bytecode ({@code -XX:-DontCompileHugeMethods} is off by
 * default), so a generated method that large would run interpreted forever. This reads the compiled class files of
 * every sample's generated classes and checks each method's code length.
 */
class MethodSizeTest {
    private static final int HUGE_METHOD_LIMIT = 8000;

    @Test
    void noGeneratedMethodIsTooLargeToJitCompile() throws IOException {
        List<String> tooLarge = new ArrayList<>();
        int methods = 0;
        for (Samples s : Samples.values()) {
            for (String suffix : List.of("Spec", "Engine", "CudaEngine")) {
                String name = s.declaration().getName() + suffix;
                Map<String, Integer> sizes = codeSizes(name);
                assertFalse(sizes.isEmpty(), name + " has no methods");
                methods += sizes.size();
                sizes.forEach((m, size) -> {
                    if (size > HUGE_METHOD_LIMIT) {
                        tooLarge.add(name + "." + m + ": " + size + " bytes");
                    }
                });
            }
        }
        assertTrue(methods > 50, "read only " + methods + " methods");
        assertTrue(tooLarge.isEmpty(), () -> "methods over " + HUGE_METHOD_LIMIT + " bytes: " + tooLarge);
    }

    /** Method name and descriptor to code length, from the class file (JVMS 4.1, 4.4, 4.6, 4.7.3). */
    static Map<String, Integer> codeSizes(String className) throws IOException {
        try (InputStream raw = MethodSizeTest.class.getClassLoader().getResourceAsStream(className.replace('.', '/') + ".class")) {
            if (raw == null) {
                throw new IOException("no class file for " + className);
            }
            DataInputStream in = new DataInputStream(raw);
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException(className + " is not a class file");
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 3, 4 -> in.readInt();
                    case 5, 6 -> {
                        in.readLong();
                        i++;
                    }
                    case 7, 8, 16, 19, 20 -> in.readUnsignedShort();
                    case 9, 10, 11, 12, 17, 18 -> in.readInt();
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    default -> throw new IOException(className + ": unknown constant tag " + tag);
                }
            }
            in.readUnsignedShort(); // access
            in.readUnsignedShort(); // this
            in.readUnsignedShort(); // super
            in.skipBytes(2 * in.readUnsignedShort()); // interfaces
            int fields = in.readUnsignedShort();
            for (int f = 0; f < fields; f++) {
                in.skipBytes(6);
                skipAttributes(in);
            }
            Map<String, Integer> sizes = new LinkedHashMap<>();
            int methods = in.readUnsignedShort();
            for (int m = 0; m < methods; m++) {
                in.readUnsignedShort();
                String name = utf8[in.readUnsignedShort()] + utf8[in.readUnsignedShort()];
                int attributes = in.readUnsignedShort();
                for (int a = 0; a < attributes; a++) {
                    String attribute = utf8[in.readUnsignedShort()];
                    int length = in.readInt();
                    if (attribute.equals("Code")) {
                        in.readUnsignedShort(); // max_stack
                        in.readUnsignedShort(); // max_locals
                        int code = in.readInt();
                        sizes.put(name, code);
                        in.skipBytes(length - 8);
                    } else {
                        in.skipBytes(length);
                    }
                }
            }
            return sizes;
        }
    }

    private static void skipAttributes(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        for (int i = 0; i < n; i++) {
            in.readUnsignedShort();
            in.skipBytes(in.readInt());
        }
    }
}
