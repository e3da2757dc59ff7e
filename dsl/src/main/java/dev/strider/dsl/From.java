package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The layer(s) a layer takes its input from, by field name; {@code "input"} is the network's input. Without it a
 * layer takes the previous layer's output (the first layer: the input). Only earlier layers may be named, so a
 * network is always acyclic. A merge layer ({@link Add}, {@link Concat}) names two or more; every other layer one.
 *
 * <pre>{@code
 * @Conv(filters = 64, kernel = 3, padding = 1) Layer conv2;
 * @Add(activation = RELU) @From({"conv2", "block1"}) Layer block2;   // block2 = relu(conv2 + block1)
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface From {
    /** The name of the network's input, for {@link #value()}. */
    String INPUT = "input";

    String[] value();
}
