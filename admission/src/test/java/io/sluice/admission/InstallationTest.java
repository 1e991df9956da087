package io.sluice.admission;

import static io.sluice.admission.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.Revisions;
import io.sluice.model.flagger.Canary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.node.ObjectNode;

/** The install namespace and the analyzer's identity follow the pod, as the analyzer's own rule does. */
class InstallationTest {
    static final String FIXED = "system:serviceaccount:sluice-system:sluice-analyzer";

    @TempDir
    Path serviceAccount;

    /** The service's flags with no value given for the namespace or identity, as the Deployment runs it. */
    private Installation installedIn(String namespace) throws IOException {
        Files.writeString(serviceAccount.resolve("namespace"), namespace + "\n");
        Main main = new Main();
        new CommandLine(main).parseArgs("--namespace=", "--analyzer-identity=");
        return main.installation(serviceAccount);
    }

    @Test
    void installedInAnotherNamespaceTheServiceAndTheAnalyzerAreThere() throws IOException {
        Installation installation = installedIn("other");

        assertThat(installation.namespace()).isEqualTo("other");
        assertThat(installation.analyzerIdentity()).isEqualTo("system:serviceaccount:other:sluice-analyzer");
    }

    @Test
    void theFlagsWinOverThePod() {
        Installation installation =
                Installation.read("flagged", "system:serviceaccount:ops:rollouts", "sluice-analyzer", serviceAccount);

        assertThat(installation).isEqualTo(new Installation("flagged", "system:serviceaccount:ops:rollouts"));
    }

    @Test
    void theAnalyzersServiceAccountNameCanBeChanged() {
        assertThat(Installation.read("other", "", "analyzer", serviceAccount).analyzerIdentity())
                .isEqualTo("system:serviceaccount:other:analyzer");
    }

    @Test
    void outsideAPodTheManifestsNamespaceIsAssumed() {
        assertThat(Installation.read(null, null, "sluice-analyzer", serviceAccount.resolve("absent")))
                .isEqualTo(new Installation("sluice-system", FIXED));
    }

    private MutatingHandler guardIn(Installation installation, InMemoryClusterView cluster) {
        return new MutatingHandler(
                cluster,
                new RecordingStatusWriter(),
                io.sluice.admission.SourceClassifier.withDefaults(Map.of(), Map.of()),
                installation,
                Duration.ofMillis(200),
                Clock.systemUTC(),
                Fixtures.metrics());
    }

    /** Flux's replica change to test/podinfo, sent by {@code user}; the Canary has synced the old template. */
    private static ObjectNode replicaChangeBy(String user, InMemoryClusterView cluster) {
        ObjectNode review = Fixtures.review("flux-apply-podinfo.json");
        ((ObjectNode) review.path("request").path("userInfo")).put("username", user);
        Canary canary = Fixtures.seedCanary(
                "Initialized",
                Revisions.ofTemplate(Revisions.templateOf(review.path("request").path("oldObject"))));
        cluster.canaries.add(canary);
        return review;
    }

    @Test
    void theGuardTrustsTheAnalyzerOfItsOwnNamespaceAndNotTheManifestsOne() throws IOException {
        InMemoryClusterView cluster = new InMemoryClusterView();
        MutatingHandler handler = guardIn(installedIn("other"), cluster);

        AdmissionResponse byAnalyzer = await(handler.handle(
                Fixtures.request(replicaChangeBy("system:serviceaccount:other:sluice-analyzer", cluster))));
        AdmissionResponse byFixedName = await(handler.handle(Fixtures.request(replicaChangeBy(FIXED, cluster))));

        assertThat(byAnalyzer.patch()).as("the analyzer's scale-up stands").isNull();
        assertThat(byFixedName.patch())
                .as("the same change by a ServiceAccount of sluice-system is undone")
                .isNotNull();
    }

    @Test
    void theServiceLeavesTheDeploymentsOfItsOwnNamespaceAlone() throws IOException {
        InMemoryClusterView cluster = new InMemoryClusterView();
        ObjectNode review = replicaChangeBy("system:serviceaccount:flux-system:kustomize-controller", cluster);
        MutatingHandler inTest = guardIn(installedIn("test"), cluster);
        MutatingHandler elsewhere = guardIn(installedIn("other"), cluster);

        AdmissionResponse own = await(inTest.handle(Fixtures.request(review)));
        AdmissionResponse foreign = await(elsewhere.handle(Fixtures.request(review)));

        assertThat(own).isEqualTo(AdmissionResponse.allowed());
        assertThat(foreign.patch()).isNotNull();
    }
}
