package io.sluice.certs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.util.Date;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The certs package stays pure (STYLE.md): no Vert.x, no Kubernetes client, no hidden clock. */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.sluice.certs");
    }

    @Test
    void dependsOnNeitherVertxNorTheKubernetesClient() {
        noClasses()
                .that()
                .resideInAPackage("io.sluice.certs..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.vertx..", "io.fabric8.kubernetes.client..")
                .because("certificate logic is pure; the admission service does the I/O")
                .check(classes);
    }

    @Test
    void onlyTheCommandLineEdgeReadsTheClock() {
        noClasses()
                .that()
                .resideInAPackage("io.sluice.certs..")
                .and()
                .doNotHaveFullyQualifiedName(LocalCerts.class.getName())
                .should()
                .callMethod(Instant.class, "now")
                .orShould()
                .callMethod(System.class, "currentTimeMillis")
                .orShould()
                .callMethod(System.class, "nanoTime")
                .orShould()
                .callMethod(Clock.class, "systemUTC")
                .orShould()
                .callMethod(Clock.class, "systemDefaultZone")
                .orShould()
                .callMethod(LocalDateTime.class, "now")
                .orShould()
                .callMethod(ZonedDateTime.class, "now")
                .orShould()
                .callConstructor(Date.class)
                .because("time is passed in, so two thirds of a lifetime is a deterministic test")
                .check(classes);
    }
}
