package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A reusable group of layers, declared once like a network (one annotated {@link Layer} field per layer) and used
 * many times with {@link Use}. {@link #params()} names its int parameters; a layer takes them with {@link Bind}.
 * Inside a block, {@code @From("input")} is the block's input, other names are the block's own layers, and the
 * block's output is its last layer, which takes the name of the use. A block may use other blocks, giving their
 * parameters from its own with {@link Bind}.
 *
 * <pre>{@code
 * @Block(params = {"width", "stride"})
 * abstract class BasicBlock {
 *     @Conv(filters = 0, kernel = 3, padding = 1, bias = false) @Bind({"filters=width", "stride=stride"}) Layer conv1;
 *     @BatchNorm Layer bn1;
 *     @ReLU Layer relu;
 *     @Conv(filters = 0, kernel = 3, padding = 1, bias = false) @Bind("filters=width") Layer conv2;
 *     @BatchNorm Layer bn2;
 *     @Add(activation = RELU) @From({"bn2", "input"}) Layer out;
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Block {
    /** The names of the block's int parameters, each given by every {@link Use}. */
    String[] params() default {};
}
