package io.sluice.model;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The model is shared by both services and must stay pure: no event loop, no API client. */
@AnalyzeClasses(packages = "io.sluice.model", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule noVertx = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.vertx..")
            .because("shared-model is plain Java, used by the admission service and the analyzer alike");

    @ArchTest
    static final ArchRule noKubernetesClient = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.fabric8.kubernetes.client..")
            .because("shared-model holds data and pure functions; talking to the API server is the services' job");
}
