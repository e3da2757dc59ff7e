/** Console progress of training: a live bar on a terminal, one summary line per epoch always. */
package dev.strider.runtime.progress;
