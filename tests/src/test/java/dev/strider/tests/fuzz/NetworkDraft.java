package dev.strider.tests.fuzz;

import dev.strider.dsl.Rounding;
import dev.strider.tests.fuzz.Declaration.Category;
import dev.strider.tests.fuzz.Declaration.EngineSpec;
import dev.strider.tests.fuzz.Declaration.Expected;
import dev.strider.tests.fuzz.JavaSource.Annotation;
import dev.strider.tests.fuzz.JavaSource.Block;
import dev.strider.tests.fuzz.JavaSource.Part;
import dev.strider.tests.fuzz.JavaSource.Positioned;
import dev.strider.tests.fuzz.JavaSource.Raw;
import dev.strider.tests.fuzz.ShapeRules.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A network declaration under construction: its file, the form of its class (top level, member, local, ...), the
 * {@code @Network} and {@code @Input} annotations, its {@link LayerChain}, extra members and extra top-level types,
 * and the diagnostics it must produce, held as references to the parts they must be on. {@link #finish} renders the
 * file and turns those references into line numbers.
 */
final class NetworkDraft {
    /**
     * Where the {@code @Network} class is declared: at the top level, or in a class or interface named after the file
     * ({@code outer}), maybe inside a block ({@code open} ... {@code close}; {@code %s} is the file's class). Local
     * classes, and members of anonymous classes, are invisible to processors.
     */
    enum Form {
        TOP_LEVEL(null, null, null),
        STATIC_MEMBER("class", null, null),
        INNER_MEMBER("class", null, null),
        PRIVATE_MEMBER("class", null, null),
        INTERFACE_MEMBER("interface", null, null),
        DEEP_MEMBER("class", "static class Mid {", "}"),
        LOCAL_IN_METHOD("class", "void method() {", "}"),
        LOCAL_IN_CONSTRUCTOR("class", "%s() {", "}"),
        LOCAL_IN_STATIC_INITIALIZER("class", "static {", "}"),
        LOCAL_IN_INSTANCE_INITIALIZER("class", "{", "}"),
        LOCAL_IN_LAMBDA("class", "Runnable lambda = () -> {", "};"),
        MEMBER_OF_ANONYMOUS_CLASS("class", "Object anonymous = new Object() {", "};");

        final String outer;
        final String open;
        final String close;

        Form(String outer, String open, String close) {
            this.outer = outer;
            this.open = open;
            this.close = close;
        }
    }

    /** The kind of type {@code @Network} annotates. */
    enum TypeKind {
        CLASS, INTERFACE, ENUM, RECORD, ANNOTATION_TYPE
    }

    private record Pending(String id, Positioned at) {}

    final SplittableRandom r;
    final Literals literals;
    final LayerNames names;
    final int index;
    final String packageName;
    /** The file's top-level class. */
    final String fileClass;
    /** The {@code @Network} class's simple name. */
    final String typeName;
    final Form form;
    final Annotation network = new Annotation("Network");
    final Annotation input = new Annotation("Input");
    /** The class's annotations: {@link #network} and {@link #input} (unless a defect removes them), maybe others. */
    final List<Annotation> classAnnotations = new ArrayList<>();
    /** Members of the network class besides the layers, placed among them at random. */
    final List<Part> extraMembers = new ArrayList<>();
    /** Top-level types after the network's. */
    final List<Part> extraTypes = new ArrayList<>();
    TypeKind kind = TypeKind.CLASS;
    String modifiers = "abstract ";
    String typeParameters = "";
    final Shape inputShape;
    final int maxBatch;
    LayerChain chain;
    private final List<Pending> errors = new ArrayList<>();
    private final List<Pending> warnings = new ArrayList<>();
    private Block type;

    /** A network of a random small input shape, maxBatch, loss and rounding, declared in {@code form}; no layers yet. */
    NetworkDraft(SplittableRandom r, int index, boolean smooth, Form form) {
        this.r = r;
        this.literals = new Literals(r);
        this.names = new LayerNames(r);
        this.index = index;
        this.packageName = r.nextInt(6) == 0 ? "" : "fuzz";
        this.fileClass = String.format("Fz%05d", index);
        this.form = form;
        this.typeName = form == Form.TOP_LEVEL ? fileClass : r.nextBoolean() ? "Net" : "Inner";
        int side = 1 + r.nextInt(10);
        int channels = r.nextInt(6) == 0 ? 4 + r.nextInt(5) : 1 + r.nextInt(3);
        this.inputShape = Shape.spatial(channels, side, r.nextBoolean() ? side : 1 + r.nextInt(10));
        this.maxBatch = 2 + r.nextInt(3);
        network.with("maxBatch", literals.integer(maxBatch));
        boolean mse = r.nextInt(4) == 0;
        if (mse || r.nextInt(6) == 0) {
            network.with("loss", mse ? "Loss.MEAN_SQUARED_ERROR" : "Loss.SOFTMAX_CROSS_ENTROPY");
        }
        Rounding rounding = r.nextInt(3) == 0 ? Rounding.values()[1 + r.nextInt(3)] : Rounding.STRICT;
        if (rounding != Rounding.STRICT || r.nextInt(8) == 0) {
            network.with("rounding", "Rounding." + rounding);
        }
        input.with("channels", literals.integer(inputShape.c()))
                .with("height", literals.integer(inputShape.h()))
                .with("width", literals.integer(inputShape.w()));
        if (r.nextInt(4) == 0) {
            classAnnotations.add(input);
            classAnnotations.add(network);
        } else {
            classAnnotations.add(network);
            classAnnotations.add(input);
        }
        this.chain = new LayerChain(r, literals, names, inputShape, rounding, mse, smooth);
        if (form == Form.TOP_LEVEL) {
            String[] topLevel = {"abstract ", "abstract ", "", "final ", "public abstract "};
            modifiers = topLevel[r.nextInt(topLevel.length)];
            typeParameters = r.nextInt(10) == 0 ? "<T extends Number>" : "";
        } else if (form == Form.STATIC_MEMBER || form == Form.DEEP_MEMBER) {
            modifiers = "abstract static ";
        } else if (form == Form.PRIVATE_MEMBER) {
            modifiers = "private abstract static ";
        }
    }

    /** A random form whose network the processor sees (top level mostly). */
    static Form visibleForm(SplittableRandom r) {
        return r.nextInt(5) != 0 ? Form.TOP_LEVEL : Form.values()[1 + r.nextInt(Form.LOCAL_IN_METHOD.ordinal() - 1)];
    }

    void expectError(String id, Positioned at) {
        errors.add(new Pending(id, at));
    }

    void expectWarning(String id, Positioned at) {
        warnings.add(new Pending(id, at));
    }

    /** Now and then harmless non-layer members: a plain field, an unannotated {@code Layer}, a constant, a method. */
    void addHarmlessMembers() {
        String[][] harmless = {{"int notALayer;"}, {"Layer unannotated;"}, {"static final int K = 3;"},
                {"int helper() {", "    return 1;", "}"}};
        for (String[] member : harmless) {
            if (r.nextInt(8) == 0) {
                extraMembers.add(new Raw(member));
            }
        }
    }

    /** The binary name of the engine generated for this network. */
    String engineClass() {
        String base = switch (form) {
            case TOP_LEVEL -> typeName;
            case DEEP_MEMBER -> fileClass + "_Mid_" + typeName;
            default -> fileClass + "_" + typeName;
        };
        return (packageName.isEmpty() ? "" : packageName + ".") + base + "Engine";
    }

    /** Renders the file; the expected diagnostics get their lines. */
    Declaration finish(Category category, String description, EngineSpec engine, boolean exact) {
        JavaSource.File file = new JavaSource.File(packageName, fileClass);
        file.add(wrap(networkType()));
        extraTypes.forEach(file::add);
        List<String> lines = file.render();
        return new Declaration(index, file.qualifiedName(), lines, category, description, resolve(errors), resolve(warnings),
                engine, exact);
    }

    /** The {@code @Network} class (or interface, enum, record, annotation type) with its layers and extra members. */
    private Block networkType() {
        String keyword = switch (kind) {
            case CLASS -> "class";
            case INTERFACE -> "interface";
            case ENUM -> "enum";
            case RECORD -> "record";
            case ANNOTATION_TYPE -> "@interface";
        };
        String header = kind == TypeKind.CLASS ? modifiers + keyword + " " + typeName + typeParameters : keyword + " " + typeName;
        List<Part> members = new ArrayList<>();
        if (kind == TypeKind.RECORD) {
            header += "(@Dense(units = 3) Layer fc)";
        } else if (kind != TypeKind.ANNOTATION_TYPE) {
            members.addAll(chain.fields);
            for (Part extra : extraMembers) {
                members.add(r.nextInt(members.size() + 1), extra);
            }
        }
        if (kind == TypeKind.ENUM) {
            members.add(0, new Raw("A;"));
        }
        if (kind == TypeKind.INTERFACE) {
            chain.fields.forEach(f -> f.initializer = " = null");
        }
        type = Block.type(header);
        type.annotations.addAll(classAnnotations);
        members.forEach(type::add);
        return type;
    }

    /** The line of the network class's header, where javac reports diagnostics on the class. Valid after {@link #finish}. */
    Positioned classHeader() {
        return () -> type.line();
    }

    private Part wrap(Block networkType) {
        if (form.outer == null) {
            return networkType;
        }
        Part inner = form.open == null ? networkType : new Block(String.format(form.open, fileClass), form.close).add(networkType);
        return Block.type(form.outer + " " + fileClass).add(inner);
    }

    private static List<Expected> resolve(List<Pending> pending) {
        return pending.stream().map(p -> new Expected(p.id(), p.at().line())).toList();
    }
}
