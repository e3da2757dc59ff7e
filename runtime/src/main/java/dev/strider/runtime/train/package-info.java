/** The training loop and evaluation for classifiers. */
package dev.strider.runtime.train;
