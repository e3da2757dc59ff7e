package dev.strider.tests.fuzz;

import com.google.testing.compile.JavaFileObjects;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.tools.JavaFileObject;

/**
 * A Java source file assembled from parts (annotations, fields, types, raw lines) that learn their 1-based line
 * numbers when the file is rendered. The generator keeps references to the parts a defect is in (an annotation, one
 * of its values, a field) and reads their lines after rendering, so an expected diagnostic names the exact line of
 * the value at fault. Every annotation value that is marked {@link Attribute#ownLine own line} is rendered on a line
 * of its own, which makes "the diagnostic is on the value" checkable by line number alone.
 */
final class JavaSource {
    private JavaSource() {}

    /** Anything that has a line once the file is rendered. */
    interface Positioned {
        /** The 1-based line, or 0 before rendering. */
        int line();
    }

    /** A part of a type body or of the file. */
    interface Part {
        void render(Lines out, String indent);
    }

    /** The lines of a file being rendered. */
    static final class Lines {
        private final List<String> text = new ArrayList<>();

        /** Appends one line and returns its 1-based number. */
        int add(String line) {
            text.add(line);
            return text.size();
        }

        /** Appends to the last line. */
        void append(String suffix) {
            text.set(text.size() - 1, text.get(text.size() - 1) + suffix);
        }

        List<String> text() {
            return text;
        }
    }

    /** One {@code name = value} of an annotation. */
    static final class Attribute implements Positioned {
        final String name;
        final String value;
        final boolean ownLine;
        private int line;

        Attribute(String name, String value, boolean ownLine) {
            this.name = name;
            this.value = value;
            this.ownLine = ownLine;
        }

        @Override
        public int line() {
            return line;
        }

        @Override
        public String toString() {
            return name + " = " + value;
        }
    }

    /** An annotation use: {@code @Conv(filters = 2, kernel = 3)}, each own-line value on a line of its own. */
    static final class Annotation implements Positioned {
        final String name;
        final List<Attribute> attributes = new ArrayList<>();
        private int line;

        Annotation(String name) {
            this.name = name;
        }

        Annotation with(String attribute, Object value) {
            attributes.add(new Attribute(attribute, String.valueOf(value), false));
            return this;
        }

        /** Adds a value rendered on a line of its own (so that a diagnostic on it is told apart by its line). */
        Attribute withOwnLine(String attribute, Object value) {
            Attribute a = new Attribute(attribute, String.valueOf(value), true);
            attributes.add(a);
            return a;
        }

        /** The value called {@code attribute}; it must be there. */
        Attribute attribute(String attribute) {
            return attributes.stream().filter(a -> a.name.equals(attribute)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("@" + name + " has no " + attribute));
        }

        @Override
        public int line() {
            return line;
        }

        void render(Lines out, String indent) {
            List<Attribute> inline = attributes.stream().filter(a -> !a.ownLine).collect(Collectors.toList());
            List<Attribute> own = attributes.stream().filter(a -> a.ownLine).collect(Collectors.toList());
            String head = indent + "@" + name;
            if (!attributes.isEmpty()) {
                head += "(" + inline.stream().map(Attribute::toString).collect(Collectors.joining(", "))
                        + (own.isEmpty() || inline.isEmpty() ? "" : ",");
            }
            line = out.add(head);
            for (Attribute a : inline) {
                a.line = line;
            }
            for (int i = 0; i < own.size(); i++) {
                Attribute a = own.get(i);
                a.line = out.add(indent + "        " + a + (i < own.size() - 1 ? "," : ""));
            }
            if (!attributes.isEmpty()) {
                out.append(")");
            }
        }

        @Override
        public String toString() {
            return "@" + name + attributes;
        }
    }

    /** A field with its annotations, each annotation on its own lines and the declaration on a line after them. */
    static final class Field implements Part, Positioned {
        final List<Annotation> annotations = new ArrayList<>();
        String name;
        String modifiers = "";
        String type = "Layer";
        String initializer = "";
        private int line;

        Field(String name, Annotation... annotations) {
            this.name = name;
            this.annotations.addAll(Arrays.asList(annotations));
        }

        /** The first annotation: the layer's. */
        Annotation layer() {
            return annotations.get(0);
        }

        @Override
        public void render(Lines out, String indent) {
            for (Annotation a : annotations) {
                a.render(out, indent);
            }
            line = out.add(indent + modifiers + type + " " + name + initializer + ";");
        }

        /** The line of the declaration itself ({@code Layer c1;}), where javac places diagnostics on the field. */
        @Override
        public int line() {
            return line;
        }
    }

    /** Lines copied as they are; {@link #line()} is the first. */
    static final class Raw implements Part, Positioned {
        private final List<String> lines;
        private int line;

        Raw(String... lines) {
            this.lines = List.of(lines);
        }

        @Override
        public void render(Lines out, String indent) {
            line = 0;
            for (String l : lines) {
                int at = out.add(indent + l);
                line = line == 0 ? at : line;
            }
        }

        @Override
        public int line() {
            return line;
        }

        String firstLine() {
            return lines.get(0);
        }
    }

    /** {@code open} ... {@code close} around parts, e.g. a method body or an outer class. */
    static final class Block implements Part, Positioned {
        final List<Annotation> annotations = new ArrayList<>();
        final String open;
        final List<Part> parts = new ArrayList<>();
        private final String close;
        private int line;

        Block(String open, String close) {
            this.open = open;
            this.close = close;
        }

        /** {@code class Foo {} }-style block: {@code header + " {"} ... {@code "}"}. */
        static Block type(String header) {
            return new Block(header + " {", "}");
        }

        Block add(Part part) {
            parts.add(part);
            return this;
        }

        @Override
        public void render(Lines out, String indent) {
            for (Annotation a : annotations) {
                a.render(out, indent);
            }
            line = out.add(indent + open);
            for (Part p : parts) {
                p.render(out, indent + "    ");
            }
            out.add(indent + close);
        }

        /** The line of {@link #open} (a class's header: where javac places diagnostics on the class). */
        @Override
        public int line() {
            return line;
        }
    }

    /** A compilation unit: package, the DSL import, top-level parts. */
    static final class File {
        final String packageName;
        final String simpleName;
        final List<Part> parts = new ArrayList<>();

        File(String packageName, String simpleName) {
            this.packageName = packageName;
            this.simpleName = simpleName;
        }

        String qualifiedName() {
            return packageName.isEmpty() ? simpleName : packageName + "." + simpleName;
        }

        File add(Part part) {
            parts.add(part);
            return this;
        }

        /** Renders the file, setting every part's line, and returns its lines. */
        List<String> render() {
            Lines out = new Lines();
            if (!packageName.isEmpty()) {
                out.add("package " + packageName + ";");
                out.add("");
            }
            out.add("import dev.strider.dsl.*;");
            for (Part p : parts) {
                out.add("");
                p.render(out, "");
            }
            return out.text();
        }

        static JavaFileObject toFileObject(String qualifiedName, List<String> lines) {
            return JavaFileObjects.forSourceLines(qualifiedName, lines);
        }
    }
}
