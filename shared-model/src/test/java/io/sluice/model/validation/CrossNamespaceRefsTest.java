package io.sluice.model.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.Fixtures;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanarySpec;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CrossNamespaceRefsTest {

    static Canary seed() {
        return Fixtures.example("canary.yaml", Canary.class);
    }

    @Test
    void theSeedsCanaryNamesOnlyItsOwnNamespace() {
        // Its webhooks call flagger-loadtester.test, its RouteTable is test/podinfo: all in namespace test.
        assertThat(CrossNamespaceRefs.violations(seed())).isEmpty();
    }

    @Test
    void everyReferenceToAnotherNamespaceIsNamedByItsFieldPath() {
        Canary canary = seed();
        CanaryAnalysis analysis = canary.getSpec().analysis;
        analysis.metrics.get(0).templateRef = new CanaryAnalysis.TemplateReference("latency", "monitoring");
        analysis.metrics.get(1).templateRef = new CanaryAnalysis.TemplateReference("errors", "test");
        analysis.alerts = new ArrayList<>();
        CanaryAnalysis.Alert alert = new CanaryAnalysis.Alert();
        alert.name = "on-call";
        alert.providerRef = new CanaryAnalysis.TemplateReference("slack", "ops");
        analysis.alerts.add(alert);
        CanaryAnalysis.Alert local = new CanaryAnalysis.Alert();
        local.name = "team";
        local.providerRef = new CanaryAnalysis.TemplateReference("slack", null);
        analysis.alerts.add(local);
        analysis.webhooks.get(1).url = "http://flagger-loadtester.loadtest.svc.cluster.local:80/";
        canary.getSpec().routeTableRef = new CanarySpec.CrossNamespaceReference("podinfo", "gateways");

        assertThat(CrossNamespaceRefs.violations(canary))
                .extracting(Violation::field)
                .containsExactly(
                        "spec.routeTableRef.namespace",
                        "spec.analysis.metrics[0].templateRef.namespace",
                        "spec.analysis.alerts[0].providerRef.namespace",
                        "spec.analysis.webhooks[1].url");
        assertThat(CrossNamespaceRefs.violations(canary).get(1).message())
                .isEqualTo("is monitoring, not the canary's namespace test: cross-namespace references are refused"
                        + " here (--no-cross-namespace-refs)");
        assertThat(CrossNamespaceRefs.violations(canary).get(3).message())
                .startsWith(
                        "names a Service of namespace loadtest (host flagger-loadtester.loadtest.svc.cluster.local)");
    }

    @Test
    void theDeprecatedCanaryAnalysisIsCheckedUnderItsOwnName() {
        Canary canary = seed();
        canary.getSpec().canaryAnalysis = canary.getSpec().analysis;
        canary.getSpec().analysis = null;
        canary.getSpec().canaryAnalysis.webhooks.get(0).url = "http://hooks.other/";

        assertThat(CrossNamespaceRefs.violations(canary))
                .extracting(Violation::field)
                .containsExactly("spec.canaryAnalysis.webhooks[0].url");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            nullValues = "none",
            value = {
                "http://loadtester/, none",
                "http://loadtester.test/, test",
                "http://loadtester.other:8080/gate, other",
                "http://loadtester.other.svc/, other",
                "http://loadtester.other.svc.cluster.local/, other",
                "http://loadtester.other.svc.my.domain/, other",
                "http://web-0.loadtester.other.svc.cluster.local/, other",
                "http://10-1-2-3.other.pod.cluster.local/, other",
                "https://hooks.slack.com/services/x, none",
                "http://example.com./, none",
                "http://10.0.0.7:8080/, none",
                "http://[fd00::1]:8080/, none",
                "http://user@Loadtester.Other/, other",
                "not a url, none",
                "none, none"
            })
    void aWebhookHostIsReadAsTheClustersDnsReadsIt(String url, String namespace) {
        assertThat(CrossNamespaceRefs.serviceNamespace(url)).isEqualTo(namespace);
    }
}
