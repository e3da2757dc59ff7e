package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Inside a {@link Block}: layer attributes that take the block's parameters, each {@code "attribute=value"} where
 * the value is a parameter, an int, or a product of them, e.g. {@code @Bind({"filters=width*4", "stride=stride"})}. The value written in the layer annotation is replaced (write
 * any placeholder, such as 0, for a required attribute); an int-pair attribute ({@code kernel}, {@code stride},
 * {@code padding}) gets the value for both dimensions. On a {@link Use} inside a block, {@code @Bind} gives the inner
 * block's parameters instead: {@code @Use(Conv1.class) @Bind("out=width") Layer branch1;}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Bind {
    String[] value();
}
