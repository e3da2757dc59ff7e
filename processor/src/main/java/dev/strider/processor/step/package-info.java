/** Steps: one {@code @Network} class through read, check, report and generate. */
package dev.strider.processor.step;
