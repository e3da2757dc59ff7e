package dev.strider.processor.layer;

import dev.strider.dsl.Activation;
import dev.strider.processor.model.LayerDecl;
import dev.strider.processor.model.ReceptiveField;
import dev.strider.processor.model.Shape;
import dev.strider.processor.model.SourceRef;
import java.util.List;

/**
 * One layer kind's rules. Every kind has the same contract: read and validate its own declared values (in the
 * constructor, reporting into the network's report), infer its output shape, count its parameters and MACs, and
 * carry the receptive field through. Code generation (later phases) lowers layers from the same objects.
 *
 * <p>To add a layer kind: add its annotation to {@code dsl}, a subclass here, and a line to {@link Layers}.
 */
public abstract class Layer {
    private final LayerDecl decl;

    protected Layer(LayerDecl decl) {
        this.decl = decl;
    }

    public final String name() {
        return decl.name();
    }

    public final SourceRef ref() {
        return decl.ref();
    }

    public final LayerDecl decl() {
        return decl;
    }

    /** The kind as the user wrote it, e.g. {@code Conv}. */
    public final String type() {
        return decl.kind();
    }

    /** {@code Conv "c1"}: how messages name this layer. */
    public final String label() {
        return label(decl);
    }

    static String label(LayerDecl decl) {
        return decl.kind() + " \"" + decl.name() + "\"" + (decl.fromBlock() ? " (" + decl.origin() + ")" : "");
    }

    /** The hyper-parameters in a few words, e.g. {@code 6 filters 5x5, pad 2, relu}. */
    public abstract String describe();

    /**
     * The output shape for {@code in}, or {@code null} after reporting why there is none. May return a best-guess
     * shape after reporting an error, so that later layers are still checked.
     */
    public abstract Shape outputShape(Shape in, ShapeContext ctx);

    /** Whether this layer merges two or more inputs ({@code Add}, {@code Concat}). */
    public boolean merge() {
        return false;
    }

    /**
     * A merge layer's output for its inputs {@code ins} (in {@code @From}'s order), {@code paths} the path of shapes
     * that led to each (quoted in messages), or {@code null} after reporting why there is none.
     */
    public Shape outputShape(List<Shape> ins, List<String> paths, ShapeContext ctx) {
        throw new IllegalStateException(label() + " takes one input");
    }

    /** Trainable parameters at input shape {@code in}. */
    public long params(Shape in) {
        return 0;
    }

    /** Non-trainable state (batch-norm running statistics) at input shape {@code in}. */
    public long nonTrainableParams(Shape in) {
        return 0;
    }

    /** Multiply-accumulates per image (bias adds, pooling, normalisation and activations are not MACs). */
    public long macs(Shape in, Shape out) {
        return 0;
    }

    /** The receptive field of one output value, given that of one input value. */
    public ReceptiveField receptiveField(ReceptiveField in, Shape inShape, Shape outShape) {
        return in;
    }

    /** The activation this layer applies (fused or as its whole job), {@code NONE} if none. */
    public Activation activation() {
        return Activation.NONE;
    }

    /** Whether the layer begins with a linear map of its input (convolution, dense). */
    public boolean startsLinear() {
        return false;
    }

    /** Whether the layer's output is a nonlinear function of its input (activations, max pooling). */
    public boolean endsNonlinear() {
        return activation() != Activation.NONE;
    }

    static String activationSuffix(Activation a, double slope) {
        return switch (a) {
            case NONE -> "";
            case LEAKY_RELU -> ", leaky_relu(" + Values.fmt(slope) + ")";
            default -> ", " + a.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
