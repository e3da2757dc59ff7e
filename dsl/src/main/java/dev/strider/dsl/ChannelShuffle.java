package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * ShuffleNet's channel shuffle: the channels, seen as {@code groups} rows of {@code C / groups}, are read column by
 * column, so the next grouped convolution's groups each see channels of every group. No parameters.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface ChannelShuffle {
    int groups();
}
