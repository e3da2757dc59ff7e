package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** One parameter value of a {@link Use}. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({})
public @interface Arg {
    String name();

    int value();
}
