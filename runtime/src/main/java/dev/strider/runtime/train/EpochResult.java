package dev.strider.runtime.train;

/**
 * One training epoch: the mean training loss and accuracy (over the epoch's batches, as trained), the test
 * evaluation afterwards (null when no test set), the learning rate used, and the training speed.
 */
public record EpochResult(int epoch, double trainLoss, double trainAccuracy, Evaluation test, float learningRate,
                          double seconds, double imagesPerSecond) {}
