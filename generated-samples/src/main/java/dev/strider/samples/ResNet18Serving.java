package dev.strider.samples;

import dev.strider.dsl.Network;
import dev.strider.dsl.Rounding;

/**
 * ResNet-18 for serving: the layers of {@link ResNet18}, inherited, in an inference-only engine (torchvision's
 * weights load into it under the same names). Its layer outputs and the convolutions' padded inputs share four arrays
 * per thread by the processor's memory plan (7.7 MiB, against 65.3 MiB with each its own), and it keeps no gradients.
 */
@Network(maxBatch = 2, expectParams = 11_689_512, rounding = Rounding.FLOOR, inferenceOnly = true)
public abstract class ResNet18Serving extends ResNet18 {
}
