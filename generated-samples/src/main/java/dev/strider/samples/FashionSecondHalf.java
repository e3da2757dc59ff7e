package dev.strider.samples;

import dev.strider.dsl.Dense;
import dev.strider.dsl.Frozen;
import dev.strider.dsl.Input;
import dev.strider.dsl.Layer;
import dev.strider.dsl.Network;
import dev.strider.dsl.Use;

/**
 * The transfer-learning sample's second network: {@link FashionFirstHalf}'s backbone (the same layer names, so its
 * trained weights load by name) under a new head, {@code secondHead}, fine-tuned on Fashion-MNIST classes 5 to 9
 * while the backbone stays frozen (CLI {@code transfer}).
 */
@Network(maxBatch = 64, expectParams = 61_706)
@Input(channels = 1, height = 28, width = 28)
public abstract class FashionSecondHalf {
    @Frozen @Use(FashionFirstHalf.Backbone.class) Layer backbone;              // the same layers, so the same tensor names; frozen
    @Dense(units = 10) Layer secondHead;                                       // a new head, trained on classes 5-9 over the frozen backbone
}
