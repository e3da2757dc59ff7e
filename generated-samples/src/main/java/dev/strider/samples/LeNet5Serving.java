package dev.strider.samples;

import dev.strider.dsl.Network;

/**
 * LeNet-5 for serving: the layers of {@link LeNet5}, inherited, in an inference-only engine. Its layer outputs share
 * four arrays per thread by the processor's memory plan (38.5 KiB with the dense layers' groups of 8 images, against
 * 2.0 MiB for every output at batch 64) and it keeps no gradients: under a tenth of {@code LeNet5Engine}'s memory. Its weights have the same
 * names: a file {@code LeNet5Engine} trained and saved loads into it unchanged.
 */
@Network(maxBatch = 64, expectParams = 61_706, inferenceOnly = true)
public abstract class LeNet5Serving extends LeNet5 {
}
