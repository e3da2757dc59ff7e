package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The name this layer's tensors go by in weight files, ONNX models and {@code engine.parameter(...)}, when it is not
 * the layer's own name: a layer declared
 *
 * <pre>{@code
 * @TensorName("features.0") @Conv(filters = 64, kernel = 11, stride = 4, padding = 2) Layer conv1;
 * }</pre>
 *
 * stores {@code features.0.weight} and {@code features.0.bias}, so a PyTorch {@code state_dict} whose module path is
 * not a Java identifier (or simply differs) loads as it is, while the code keeps a readable layer name.
 *
 * <p>The name is letters, digits, {@code _}, {@code -} and dots between them; it must differ from every other
 * layer's tensor name, and only layers with tensors (convolutions, dense layers, batch norm) take one.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface TensorName {
    /** The prefix of the layer's tensors: {@code <value>.weight}, {@code <value>.bias}, .... */
    String value();
}
