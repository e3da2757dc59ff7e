package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Inverted dropout: in training, zeroes each value with probability {@code rate} and scales the rest by {@code 1/(1-rate)}. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Dropout {
    /** Drop probability, in {@code [0, 1)}. */
    double rate();
}
