package dev.strider.tests.fuzz;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import javax.tools.JavaFileObject;

/**
 * Loads the classes of a successful compilation from its in-memory class files (the {@code CLASS_OUTPUT} entries of
 * {@link Compilation#generatedFiles()}), with the test class path as parent: the runtime's {@code GeneratedEngine},
 * which every generated engine extends, is the test's own class. A class the compilation has is its own even when the
 * test class path has one of the same name (a network compiled again with other options).
 */
public final class GeneratedClasses extends ClassLoader {
    private static final String CLASS_OUTPUT = "/CLASS_OUTPUT/";
    private final Map<String, byte[]> classes = new HashMap<>();

    public GeneratedClasses(Compilation compilation) {
        super(GeneratedClasses.class.getClassLoader());
        for (JavaFileObject file : compilation.generatedFiles()) {
            String path = file.toUri().getPath();
            int at = path.indexOf(CLASS_OUTPUT);
            if (file.getKind() == JavaFileObject.Kind.CLASS && at >= 0) {
                String binaryName = path.substring(at + CLASS_OUTPUT.length(), path.length() - ".class".length()).replace('/', '.');
                classes.put(binaryName, bytes(file));
            }
        }
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!classes.containsKey(name)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            return c != null ? c : findClass(name);
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = classes.get(name);
        if (bytes == null) {
            throw new ClassNotFoundException(name + " is not among the compilation's classes " + classes.keySet());
        }
        return defineClass(name, bytes, 0, bytes.length);
    }

    /** A new instance of {@code binaryName} through its no-argument constructor, whatever its access. */
    public Object instantiate(String binaryName) throws ReflectiveOperationException {
        var constructor = loadClass(binaryName).getDeclaredConstructor();
        constructor.setAccessible(true);
        return constructor.newInstance();
    }

    /** The value of a static field of {@code binaryName}, whatever its access. */
    Object staticField(String binaryName, String field) throws ReflectiveOperationException {
        var f = loadClass(binaryName).getDeclaredField(field);
        f.setAccessible(true);
        return f.get(null);
    }

    private static byte[] bytes(JavaFileObject file) {
        try (InputStream in = file.openInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
