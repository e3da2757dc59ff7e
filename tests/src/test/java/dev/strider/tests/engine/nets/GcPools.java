package dev.strider.tests.engine.nets;

import dev.strider.dsl.*;

/** Max pooling with padding, average pooling with CEIL rounding not counting padding, global average pooling. */
@Network(maxBatch = 4)
@Input(channels = 2, height = 9, width = 9)
public abstract class GcPools {
    @Conv(filters = 3, kernel = 3, padding = 1) Layer conv;                                  // 9x9
    @MaxPool(window = 3, stride = 2, padding = 1) Layer max;                                 // (9+2-3)/2+1 = 5
    @AvgPool(window = 2, stride = 2, padding = 1, countPadding = false, rounding = Rounding.CEIL) Layer avg; // ceil((5+2-2)/2)+1 = 4
    @Conv(filters = 4, kernel = 1, activation = Activation.RELU) Layer mix;
    @AvgPool(window = 3, stride = 1, padding = 1) Layer smooth;                              // counts padding
    @GlobalAvgPool Layer gap;
    @Dense(units = 3) Layer head;
}
