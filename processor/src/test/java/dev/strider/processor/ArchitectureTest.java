package dev.strider.processor;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The phase packages depend only on earlier phases: read -> model -> layer -> validate -> lower -> codegen. The model,
 * diagnostics and layer rules never see the compiler API or JavaPoet, so they can be tested without javac.
 */
class ArchitectureTest {
    private static final String BASE = "dev.strider.processor";
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(BASE);

    @Test
    void modelDiagnosticsAndLayersAreCompilerFree() {
        noClasses().that().resideInAnyPackage(BASE + ".model..", BASE + ".diag..", BASE + ".layer..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "javax.annotation.processing..", "javax.lang.model..", "javax.tools..", "com.palantir.javapoet..",
                        "com.google.gson..")
                .check(CLASSES);
    }

    @Test
    void earlierPhasesNeverReachIntoLaterOnes() {
        noClasses().that().resideInAnyPackage(BASE + ".model..")
                .should().dependOnClassesThat().resideInAnyPackage(BASE + ".diag..", BASE + ".read..", BASE + ".layer..",
                        BASE + ".validate..", BASE + ".codegen..", BASE + ".step..")
                .check(CLASSES);
        noClasses().that().resideInAnyPackage(BASE + ".read..", BASE + ".layer..", BASE + ".diag..")
                .should().dependOnClassesThat().resideInAnyPackage(BASE + ".validate..", BASE + ".codegen..", BASE + ".step..")
                .check(CLASSES);
        noClasses().that().resideInAnyPackage(BASE + ".read..")
                .should().dependOnClassesThat().resideInAnyPackage(BASE + ".layer..")
                .check(CLASSES);
        noClasses().that().resideInAnyPackage(BASE + ".lower..")
                .should().dependOnClassesThat().resideInAnyPackage(BASE + ".codegen..", BASE + ".step..", BASE + ".read..",
                        "com.palantir.javapoet..", "javax.annotation.processing..", "javax.lang.model..")
                .check(CLASSES);
        noClasses().that().resideInAnyPackage(BASE + ".validate..")
                .should().dependOnClassesThat().resideInAnyPackage(BASE + ".codegen..", BASE + ".step..", "com.palantir.javapoet..")
                .check(CLASSES);
    }

    @Test
    void noPackageCycles() {
        slices().matching(BASE + ".(*)..").should().beFreeOfCycles().check(CLASSES);
    }
}
