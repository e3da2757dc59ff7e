/** Reading the build-time reports the processor writes for each network. */
package dev.strider.runtime.report;
