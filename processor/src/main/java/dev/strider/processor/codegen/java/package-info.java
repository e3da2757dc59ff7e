/** Java code generation with JavaPoet: one generated class per network, decorated in one place. */
package dev.strider.processor.codegen.java;
