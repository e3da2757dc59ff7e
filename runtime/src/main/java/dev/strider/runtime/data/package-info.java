/**
 * Training data: the IDX reader ({@link dev.strider.runtime.data.Idx}), in-memory datasets
 * ({@link dev.strider.runtime.data.Dataset}, with Fashion-MNIST), allocation-free mini-batches
 * ({@link dev.strider.runtime.data.Batches}) and where to find the data ({@link dev.strider.runtime.data.DataLocation}).
 */
package dev.strider.runtime.data;
