package dev.strider.samples;

import static dev.strider.dsl.Activation.RELU;

import dev.strider.dsl.Block;
import dev.strider.dsl.Conv;
import dev.strider.dsl.Dense;
import dev.strider.dsl.Input;
import dev.strider.dsl.Layer;
import dev.strider.dsl.MaxPool;
import dev.strider.dsl.Network;
import dev.strider.dsl.Use;

/**
 * The transfer-learning sample's first network: LeNet-5's layers, with a head for Fashion-MNIST classes 0 to 4 (it
 * keeps ten outputs, as the labels do). {@link FashionSecondHalf} shares every layer name but the head's, so it loads
 * this network's trained backbone (CLI {@code transfer}).
 */
@Network(maxBatch = 64, expectParams = 61_706)
@Input(channels = 1, height = 28, width = 28)
public abstract class FashionFirstHalf {
    @Use(Backbone.class) Layer backbone;                                       // backbone_c1 .. backbone (LeNet-5's f6): [84]
    @Dense(units = 10) Layer firstHead;                                        // trained on classes 0-4

    /** LeNet-5 without its head, the part both transfer samples share (and so their tensor names). */
    @Block
    public abstract static class Backbone {
        @Conv(filters = 6, kernel = 5, padding = 2, activation = RELU) Layer c1;   // [6,28,28]
        @MaxPool(window = 2) Layer s2;                                             // [6,14,14]
        @Conv(filters = 16, kernel = 5, activation = RELU) Layer c3;               // [16,10,10]
        @MaxPool(window = 2) Layer s4;                                             // [16,5,5]
        @Dense(units = 120, activation = RELU) Layer f5;
        @Dense(units = 84, activation = RELU) Layer f6;
    }
}
