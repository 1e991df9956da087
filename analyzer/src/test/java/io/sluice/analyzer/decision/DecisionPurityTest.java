package io.sluice.analyzer.decision;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** The decision package stays a pure function: no Vert.x, no Kubernetes client, no clock. */
class DecisionPurityTest {
    private static final JavaClasses DECISION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.sluice.analyzer.decision");

    /**
     * The arrows point into the core, never out of it: the decision consumes and produces only its own types, the
     * shared model and the JDK, so it cannot reach Vert.x, the Kubernetes client or the gates, even transitively.
     */
    @Test
    void dependsOnlyOnItselfTheSharedModelAndTheJdk() {
        classes()
                .that()
                .resideInAPackage("io.sluice.analyzer.decision..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("io.sluice.analyzer.decision..", "io.sluice.model..", "java..")
                .check(DECISION);
    }

    @Test
    void readsNoClock() {
        noClasses()
                .that()
                .resideInAPackage("io.sluice.analyzer.decision..")
                .should()
                .callMethod(Instant.class, "now")
                .orShould()
                .callMethod(System.class, "currentTimeMillis")
                .orShould()
                .callMethod(System.class, "nanoTime")
                .orShould()
                .callMethod(LocalDateTime.class, "now")
                .orShould()
                .callMethod(OffsetDateTime.class, "now")
                .orShould()
                .callMethod(ZonedDateTime.class, "now")
                .orShould()
                .dependOnClassesThat()
                .areAssignableTo(Clock.class)
                .check(DECISION);
    }

    @Test
    void theRuleSeesTheDecisionClasses() {
        // Guards against an empty import making the rules above pass vacuously.
        org.assertj.core.api.Assertions.assertThat(DECISION.contain(CanaryDecider.class))
                .isTrue();
    }
}
