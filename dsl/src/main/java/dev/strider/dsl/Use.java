package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Layers of a {@link Block} in a network (or in another block), in place of this field. The layers are named
 * {@code <use>_<field>} (the block's last layer: {@code <use>}); the use takes the previous layer's output, or what
 * its {@link From} names. With {@link #repeat()} {@code n}, the block is used {@code n} times in a row, the uses
 * named {@code <field>_<i>} for {@code i} from {@link #index()}, as torchvision names ResNet's blocks.
 *
 * <pre>{@code
 * @Use(value = BasicBlock.class, args = {@Arg(name = "width", value = 64), @Arg(name = "stride", value = 1)}) Layer layer1_0;
 * @Use(value = Bottleneck.class, args = {...}, repeat = 2, index = 1) Layer layer1;   // layer1_1, layer1_2
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Use {
    /** The {@link Block} class. */
    Class<?> value();

    /** A value for every parameter the block declares. */
    Arg[] args() default {};

    /** How many times in a row (at least 1). */
    int repeat() default 1;

    /** With {@link #repeat()}: the number in the first use's name. */
    int index() default 0;

    /**
     * The name of the use (with {@link #repeat()}, the prefix of the uses' names) when it is not the field's: several
     * fields can then continue one numbering, as torchvision's {@code features_3}, {@code features_5 .. features_6}.
     */
    String name() default "";
}
