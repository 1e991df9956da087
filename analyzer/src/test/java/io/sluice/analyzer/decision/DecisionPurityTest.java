package io.sluice.analyzer.decision;

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

    @Test
    void importsNeitherVertxNorTheKubernetesClient() {
        noClasses().that().resideInAPackage("io.sluice.analyzer.decision..")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "io.fabric8.kubernetes.client..")
                .check(DECISION);
    }

    /**
     * The decision uses a few value classes of the gates package ({@code Alerts}, {@code MetricOutcome}, {@code
     * HookOutcome}, {@code Notifier.Severity}); they must stay free of Vert.x too, or the purity above would be
     * only skin-deep.
     */
    @Test
    void reachesNoVertxThroughTheGatesItUses() {
        JavaClasses reachable = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.sluice.analyzer.decision", "io.sluice.analyzer.gates", "io.sluice.model");
        noClasses().that().resideInAPackage("io.sluice.analyzer.decision..")
                .should().transitivelyDependOnClassesThat().resideInAnyPackage("io.vertx..")
                .check(reachable);
    }

    @Test
    void readsNoClock() {
        noClasses().that().resideInAPackage("io.sluice.analyzer.decision..")
                .should().callMethod(Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(LocalDateTime.class, "now")
                .orShould().callMethod(OffsetDateTime.class, "now")
                .orShould().callMethod(ZonedDateTime.class, "now")
                .orShould().dependOnClassesThat().areAssignableTo(Clock.class)
                .check(DECISION);
    }

    @Test
    void theRuleSeesTheDecisionClasses() {
        // Guards against an empty import making the rules above pass vacuously.
        org.assertj.core.api.Assertions.assertThat(DECISION.contain(CanaryDecider.class)).isTrue();
    }
}
