/**
 * Optimizers ({@link dev.strider.runtime.optim.Sgd}, {@link dev.strider.runtime.optim.Adam}) with PyTorch's update
 * rules, and learning-rate schedules. Optimizers allocate their state once, on the first step.
 */
package dev.strider.runtime.optim;
