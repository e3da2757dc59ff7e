package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The output is the input (no data moves). Useful as the last layer of a {@link Block} whose real last layer has
 * parameters: the use's name goes to the identity, and the layer keeps its own ({@code conv_3.weight}).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Identity {}
