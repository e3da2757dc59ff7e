package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Concatenation of two or more inputs on the channel axis (Inception, DenseNet, SqueezeNet's Fire), named with
 * {@link From}, in that order: spatial inputs must agree on height and width; flat inputs are joined end to end.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Concat {}
