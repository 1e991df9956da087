package io.sluice.model.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.sluice.model.Fixtures;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanarySpec;
import io.sluice.model.flagger.HttpMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class CanaryValidatorTest {

    static Canary seed() {
        return Fixtures.example("canary.yaml", Canary.class);
    }

    @Test
    void theSeedsCanaryHasNoViolation() {
        assertThat(CanaryValidator.judge(seed())).isEqualTo(new CanaryValidator.Verdict(List.of(), List.of()));
    }

    @Test
    void zeroStepTooHighMaxAndABadUrlGiveExactlyThreeViolations() {
        Canary canary = seed();
        canary.getSpec().analysis.stepWeight = 0;
        canary.getSpec().analysis.maxWeight = 150;
        canary.getSpec().analysis.webhooks.get(0).url = "not a url";

        assertThat(CanaryValidator.validate(canary))
                .extracting(Violation::field)
                .containsExactly(
                        "spec.analysis.stepWeight", "spec.analysis.maxWeight", "spec.analysis.webhooks[0].url");
    }

    @Test
    void everyViolationIsReportedNotJustTheFirst() {
        Canary canary = seed();
        canary.getSpec().targetRef.kind = "StatefulSet";
        canary.getSpec().service.port = 0;
        canary.getSpec().analysis.threshold = -2;
        assertThat(CanaryValidator.validate(canary)).hasSize(3);
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                rule("a Canary needs a spec", c -> c.setSpec(null), "spec", "is required"),
                rule(
                        "the target needs a kind",
                        c -> c.getSpec().targetRef.kind = null,
                        "spec.targetRef.kind",
                        "is required"),
                rule(
                        "only Deployments can be released",
                        c -> c.getSpec().targetRef.kind = "DaemonSet",
                        "spec.targetRef.kind",
                        "is not supported"),
                rule(
                        "the target needs a name",
                        c -> c.getSpec().targetRef.name = "",
                        "spec.targetRef.name",
                        "is required"),
                rule(
                        "the target needs a reference at all",
                        c -> c.getSpec().targetRef = null,
                        "spec.targetRef",
                        "is required"),
                rule(
                        "<target>-primary must fit a DNS-1123 label",
                        c -> {
                            c.getSpec().targetRef.name = "a".repeat(60);
                            c.getSpec().service.name = "svc";
                        },
                        "spec.targetRef.name",
                        "63 characters"),
                rule(
                        "gloo-mesh needs routeTableRef",
                        c -> c.getSpec().routeTableRef = null,
                        "spec.routeTableRef",
                        "parent RouteTable"),
                rule(
                        "routeTableRef needs a name",
                        c -> c.getSpec().routeTableRef.name = null,
                        "spec.routeTableRef.name",
                        "is required"),
                rule(
                        "routeTableRef needs a namespace",
                        c -> c.getSpec().routeTableRef.namespace = null,
                        "spec.routeTableRef.namespace",
                        "is required"),
                rule(
                        "routeTableRef names a RouteTable",
                        c -> c.getSpec().routeTableRef.kind = "VirtualService",
                        "spec.routeTableRef.kind",
                        "must be RouteTable"),
                rule(
                        "the autoscaler is an HPA or a KEDA ScaledObject",
                        c -> useAutoscaler(c, "autoscaling.k8s.io/v1", "VerticalPodAutoscaler"),
                        "spec.autoscalerRef.kind",
                        "use HorizontalPodAutoscaler or ScaledObject"),
                rule("a service is required", c -> c.getSpec().service = null, "spec.service", "is required"),
                rule(
                        "the service port is at least 1",
                        c -> c.getSpec().service.port = 0,
                        "spec.service.port",
                        "between 1 and 65535"),
                rule(
                        "the service port is at most 65535",
                        c -> c.getSpec().service.port = 70000,
                        "spec.service.port",
                        "between 1 and 65535"),
                rule(
                        "a numeric targetPort is a port",
                        c -> c.getSpec().service.targetPort = new IntOrString(0),
                        "spec.service.targetPort",
                        "between 1 and 65535"),
                rule(
                        "a named targetPort is a port name",
                        c -> c.getSpec().service.targetPort = new IntOrString("Not_A_Port"),
                        "spec.service.targetPort",
                        "not a valid port name"),
                rule(
                        "<service>-canary must fit a DNS-1123 label",
                        c -> c.getSpec().service.name = "s".repeat(57),
                        "spec.service.name",
                        "the canary Service name"),
                rule(
                        "the service name is a DNS-1123 label",
                        c -> c.getSpec().service.name = "Pod_Info",
                        "spec.service.name",
                        "DNS-1123 label"),
                rule(
                        "the route timeout is a duration",
                        c -> c.getSpec().service.timeout = "soon",
                        "spec.service.timeout",
                        "not a duration"),
                rule(
                        "the progress deadline is positive",
                        c -> c.getSpec().progressDeadlineSeconds = 0,
                        "spec.progressDeadlineSeconds",
                        "at least 1"),
                rule(
                        "analysis is required without skipAnalysis",
                        c -> c.getSpec().analysis = null,
                        "spec.analysis",
                        "is required"),
                rule(
                        "the interval is a duration",
                        c -> c.getSpec().analysis.interval = "20",
                        "spec.analysis.interval",
                        "not a duration"),
                rule(
                        "the interval is positive",
                        c -> c.getSpec().analysis.interval = "0s",
                        "spec.analysis.interval",
                        "positive"),
                rule(
                        "the threshold is at least 1",
                        c -> c.getSpec().analysis.threshold = -1,
                        "spec.analysis.threshold",
                        "at least 1"),
                rule(
                        "a strategy must be chosen",
                        c -> c.getSpec().analysis.stepWeight = null,
                        "spec.analysis",
                        "set one of stepWeight or stepWeights"),
                rule(
                        "iterations cannot be combined with stepWeight",
                        c -> c.getSpec().analysis.iterations = 10,
                        "spec.analysis.iterations",
                        "cannot be combined with stepWeight"),
                rule(
                        "stepWeights cannot be combined with stepWeight",
                        c -> c.getSpec().analysis.stepWeights = List.of(10, 20),
                        "spec.analysis.stepWeights",
                        "cannot be combined with stepWeight"),
                rule(
                        "the step weight is at most 100",
                        c -> c.getSpec().analysis.stepWeight = 101,
                        "spec.analysis.stepWeight",
                        "between 1 and 100"),
                rule(
                        "the max weight is at least 1",
                        c -> c.getSpec().analysis.maxWeight = 0,
                        "spec.analysis.maxWeight",
                        "between 1 and 100"),
                rule(
                        "each listed weight is at least 1",
                        c -> useSteps(c, 0, 10),
                        "spec.analysis.stepWeights[0]",
                        "must be at least 1"),
                rule(
                        "iterations are at least 1",
                        c -> {
                            c.getSpec().analysis.stepWeight = null;
                            c.getSpec().analysis.iterations = 0;
                        },
                        "spec.analysis.iterations",
                        "at least 1"),
                rule(
                        "the promotion step is a percentage",
                        c -> c.getSpec().analysis.stepWeightPromotion = 120,
                        "spec.analysis.stepWeightPromotion",
                        "between 0 and 100"),
                rule(
                        "the ready threshold is a percentage",
                        c -> c.getSpec().analysis.canaryReadyThreshold = 101,
                        "spec.analysis.canaryReadyThreshold",
                        "between 0 and 100"),
                rule(
                        "mirroring is refused on Gloo Mesh",
                        c -> c.getSpec().analysis.mirror = true,
                        "spec.analysis.mirror",
                        "not supported"),
                rule(
                        "metrics need a name",
                        c -> c.getSpec().analysis.metrics.get(0).name = null,
                        "spec.analysis.metrics[0].name",
                        "is required"),
                rule(
                        "a template reference needs a name",
                        c -> {
                            c.getSpec().analysis.metrics.get(0).templateRef =
                                    new CanaryAnalysis.TemplateReference(null, null);
                        },
                        "spec.analysis.metrics[0].templateRef.name",
                        "is required"),
                rule(
                        "the metric interval is a duration",
                        c -> c.getSpec().analysis.metrics.get(1).interval = "half a minute",
                        "spec.analysis.metrics[1].interval",
                        "not a duration"),
                rule(
                        "threshold ranges have min at most max",
                        c -> c.getSpec().analysis.metrics.get(0).thresholdRange =
                                new CanaryAnalysis.ThresholdRange(99.0, 90.0),
                        "spec.analysis.metrics[0].thresholdRange",
                        "min 99 is greater than max 90"),
                rule(
                        "webhook types come from the list",
                        c -> c.getSpec().analysis.webhooks.get(0).type = "pre-promotion",
                        "spec.analysis.webhooks[0].type",
                        "must be one of"),
                rule(
                        "webhook URLs are absolute",
                        c -> c.getSpec().analysis.webhooks.get(0).url = "/hooks/test",
                        "spec.analysis.webhooks[0].url",
                        "not an absolute URL"),
                rule(
                        "webhook URLs are http or https",
                        c -> c.getSpec().analysis.webhooks.get(1).url = "ftp://tester/",
                        "spec.analysis.webhooks[1].url",
                        "must use http or https"),
                rule(
                        "webhook URLs are required",
                        c -> c.getSpec().analysis.webhooks.get(1).url = null,
                        "spec.analysis.webhooks[1].url",
                        "is required"),
                rule(
                        "webhook timeouts are durations",
                        c -> c.getSpec().analysis.webhooks.get(0).timeout = "30",
                        "spec.analysis.webhooks[0].timeout",
                        "not a duration"),
                rule(
                        "webhook retries are not negative",
                        c -> c.getSpec().analysis.webhooks.get(0).retries = -1,
                        "spec.analysis.webhooks[0].retries",
                        "at least 0"),
                rule(
                        "alert severities come from the list",
                        c -> addAlert(c, "critical", "chat"),
                        "spec.analysis.alerts[0].severity",
                        "must be one of"),
                rule(
                        "alerts need a provider name",
                        c -> addAlert(c, "warn", null),
                        "spec.analysis.alerts[0].providerRef.name",
                        "is required"),
                rule(
                        "session affinity is refused with the reason, not ignored",
                        c -> {
                            CanaryAnalysis.SessionAffinity a = new CanaryAnalysis.SessionAffinity();
                            a.cookieName = "canary";
                            c.getSpec().analysis.sessionAffinity = a;
                        },
                        "spec.analysis.sessionAffinity",
                        "not supported by the gloo-mesh provider"),
                rule(
                        "the deprecated canaryAnalysis is judged under its own path",
                        c -> {
                            c.getSpec().canaryAnalysis = c.getSpec().analysis;
                            c.getSpec().analysis = null;
                            c.getSpec().canaryAnalysis.threshold = -1;
                        },
                        "spec.canaryAnalysis.threshold",
                        "at least 1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void eachRuleReportsItsFieldPath(String rule, Consumer<Canary> breakIt, String field, String message) {
        Canary canary = seed();
        breakIt.accept(canary);

        List<Violation> violations = CanaryValidator.validate(canary);

        assertThat(violations).as(rule).anySatisfy(v -> {
            assertThat(v.field()).isEqualTo(field);
            assertThat(v.message()).contains(message);
        });
    }

    /** What Flagger accepts and runs, but is probably a mistake: admitted with a warning, never denied. */
    static Stream<Arguments> warnings() {
        return Stream.of(
                rule(
                        "a target of another apiVersion is released by its kind, as Flagger does",
                        c -> c.getSpec().targetRef.apiVersion = "extensions/v1beta1",
                        "spec.targetRef.apiVersion",
                        "not apps/v1"),
                rule(
                        "an HPA of another apiVersion is read by its kind, as Flagger does",
                        c -> useAutoscaler(c, "autoscaling/v2beta2", "HorizontalPodAutoscaler"),
                        "spec.autoscalerRef.apiVersion",
                        "not autoscaling/v2"),
                rule(
                        "a ScaledObject of another apiVersion is read by its kind, as Flagger does",
                        c -> useAutoscaler(c, "keda.sh/v1", "ScaledObject"),
                        "spec.autoscalerRef.apiVersion",
                        "not keda.sh/v1alpha1"),
                rule(
                        "primaryScalerQueries on an HPA are ignored, as Flagger ignores them",
                        c -> {
                            useAutoscaler(c, "autoscaling/v2", "HorizontalPodAutoscaler");
                            c.getSpec().autoscalerRef.primaryScalerQueries = Map.of("rps", "sum(up)");
                        },
                        "spec.autoscalerRef.primaryScalerQueries",
                        "only used with a KEDA ScaledObject"),
                rule(
                        "a threshold of 0 means the default, 1",
                        c -> c.getSpec().analysis.threshold = 0,
                        "spec.analysis.threshold",
                        "0 means the default, 1"),
                rule(
                        "a listed weight above 100 is capped at run time",
                        c -> useSteps(c, 10, 200),
                        "spec.analysis.stepWeights[1]",
                        "above 100"),
                rule(
                        "listed weights that do not ascend run as Flagger runs them",
                        c -> useSteps(c, 10, 20, 20),
                        "spec.analysis.stepWeights[2]",
                        "is not greater than the previous step (20)"),
                rule(
                        "a metric that is neither builtin nor templated nor queried fails every check",
                        c -> c.getSpec().analysis.metrics.get(0).name = "istio_requests_total",
                        "spec.analysis.metrics[0].templateRef",
                        "every check of it fails"),
                rule(
                        "a metric without threshold or thresholdRange never fails",
                        c -> c.getSpec().analysis.metrics.get(0).thresholdRange = null,
                        "spec.analysis.metrics[0].thresholdRange",
                        "the check never fails"),
                rule(
                        "two metrics of one name are both queried, under one check key",
                        c -> c.getSpec().analysis.metrics.get(1).name = "request-success-rate",
                        "spec.analysis.metrics[1].name",
                        "both are queried in list order"),
                rule(
                        "two webhooks of one name are both called",
                        c -> c.getSpec().analysis.webhooks.get(1).name = "acceptance-test",
                        "spec.analysis.webhooks[1].name",
                        "both are called in list order"),
                rule(
                        "two alerts of one name are both sent",
                        c -> {
                            addAlert(c, "info", "on-call");
                            c.getSpec().analysis.alerts = List.of(
                                    c.getSpec().analysis.alerts.get(0),
                                    c.getSpec().analysis.alerts.get(0));
                        },
                        "spec.analysis.alerts[1].name",
                        "each entry is sent on its own"),
                rule(
                        "match without iterations runs as a weighted canary",
                        c -> {
                            HttpMatch match = new HttpMatch();
                            match.headers = Map.of("x-canary", HttpMatch.StringMatch.exact("insider"));
                            c.getSpec().analysis.match = List.of(match);
                        },
                        "spec.analysis.match",
                        "is ignored without iterations"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("warnings")
    void eachWarningAdmitsWithItsFieldPath(String rule, Consumer<Canary> change, String field, String message) {
        Canary canary = seed();
        change.accept(canary);

        CanaryValidator.Verdict verdict = CanaryValidator.judge(canary);

        assertThat(verdict.violations()).as(rule).isEmpty();
        assertThat(verdict.warnings()).as(rule).singleElement().satisfies(w -> {
            assertThat(w.field()).isEqualTo(field);
            assertThat(w.message()).contains(message);
        });
    }

    @Test
    void anotherProvidersCanaryIsLeftToItsControllerWithoutAVerdict() {
        Canary canary = seed();
        canary.getSpec().provider = "istio";
        canary.getSpec().routeTableRef = null;
        canary.getSpec().targetRef.kind = "StatefulSet";
        canary.getSpec().analysis.mirror = true;
        canary.getSpec().analysis.metrics.get(1).name = "request-success-rate";

        assertThat(CanaryValidator.isSluices(canary)).isFalse();
        assertThat(CanaryValidator.judge(canary)).isEqualTo(new CanaryValidator.Verdict(List.of(), List.of()));
    }

    @Test
    void theAnalyzerStillRefusesAnotherProvidersCanary() {
        Canary canary = seed();
        canary.getSpec().provider = "linkerd";

        assertThat(CanaryValidator.isSluices(canary)).isFalse();
        assertThat(CanaryValidator.validate(canary)).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("spec.provider");
            assertThat(v.message()).contains("\"linkerd\"", "leaves this Canary to the controller");
        });
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = "gloo-mesh")
    void anEmptyProviderIsSluicesAndJudged(String provider) {
        Canary canary = seed();
        canary.getSpec().provider = provider;
        canary.getSpec().routeTableRef = null;

        assertThat(CanaryValidator.isSluices(canary)).isTrue();
        assertThat(CanaryValidator.judge(canary).violations())
                .extracting(Violation::field)
                .containsExactly("spec.routeTableRef");
    }

    @Test
    void aKedaScaledObjectWithPrimaryQueriesAndReplicasIsAdmittedWithoutWarning() {
        Canary canary = seed();
        useAutoscaler(canary, "keda.sh/v1alpha1", "ScaledObject");
        canary.getSpec().autoscalerRef.primaryScalerQueries =
                Map.of("rps", "sum(rate(http_requests_total{app=\"podinfo-primary\"}[2m]))");
        canary.getSpec().autoscalerRef.primaryScalerReplicas = new CanarySpec.ScalerReplicas();
        canary.getSpec().autoscalerRef.primaryScalerReplicas.minReplicas = 2;
        canary.getSpec().autoscalerRef.primaryScalerReplicas.maxReplicas = 5;

        assertThat(CanaryValidator.judge(canary)).isEqualTo(new CanaryValidator.Verdict(List.of(), List.of()));
    }

    @Test
    void emptyWebhookTypeMeansRolloutAndIsValid() {
        Canary canary = seed();
        canary.getSpec().analysis.webhooks.get(1).type = "";
        assertThat(CanaryValidator.validate(canary)).isEmpty();
    }

    @Test
    void skipAnalysisNeedsNoAnalysis() {
        Canary canary = seed();
        canary.getSpec().analysis = null;
        canary.getSpec().skipAnalysis = true;
        assertThat(CanaryValidator.validate(canary)).isEmpty();
    }

    private static void useAutoscaler(Canary c, String apiVersion, String kind) {
        c.getSpec().autoscalerRef = new CanarySpec.AutoscalerReference();
        c.getSpec().autoscalerRef.apiVersion = apiVersion;
        c.getSpec().autoscalerRef.kind = kind;
        c.getSpec().autoscalerRef.name = "podinfo";
    }

    private static void useSteps(Canary c, Integer... steps) {
        c.getSpec().analysis.stepWeight = null;
        c.getSpec().analysis.stepWeights = new ArrayList<>(List.of(steps));
    }

    private static void addAlert(Canary c, String severity, String provider) {
        CanaryAnalysis.Alert alert = new CanaryAnalysis.Alert();
        alert.name = "on-call";
        alert.severity = severity;
        alert.providerRef = new CanaryAnalysis.TemplateReference(provider, null);
        c.getSpec().analysis.alerts = List.of(alert);
    }

    private static Arguments rule(String name, Consumer<Canary> breakIt, String field, String message) {
        return Arguments.of(name, breakIt, field, message);
    }
}
