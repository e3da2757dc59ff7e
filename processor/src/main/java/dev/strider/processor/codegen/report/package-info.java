/** Build-output reports of a checked network: the summary table and the JSON resource. */
package dev.strider.processor.codegen.report;
