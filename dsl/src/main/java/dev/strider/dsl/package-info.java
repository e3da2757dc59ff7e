/**
 * The Strider DSL: annotations that declare a fixed-size convolutional network as a Java class. The annotation
 * processor in {@code strider-processor} checks the declaration at compile time and generates its engine.
 */
package dev.strider.dsl;
