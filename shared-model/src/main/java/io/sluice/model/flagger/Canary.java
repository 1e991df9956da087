package io.sluice.model.flagger;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.sluice.model.Resource;

/**
 * A canary release of one workload ({@code canaries.flagger.app/v1beta1}), wire-compatible with Flagger's Canary.
 *
 * <p>The printer columns are Flagger's, with its types (the weights print as strings) and in its order, so that
 * {@code kubectl get canary} reads {@code NAME STATUS WEIGHT LASTTRANSITIONTIME} and {@code -o wide} adds the
 * rest. The generator sorts columns by JSON path; the build puts them back in the order declared here.
 */
@Group(Flagger.GROUP)
@Version(Flagger.VERSION)
@Kind("Canary")
@Plural("canaries")
@Singular("canary")
@Categories("all")
@AdditionalPrinterColumn(name = "Status", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Weight", jsonPath = ".status.canaryWeight", type = Type.STRING)
@AdditionalPrinterColumn(name = "Suspended", jsonPath = ".spec.suspend", type = Type.BOOLEAN, priority = 1)
@AdditionalPrinterColumn(name = "FailedChecks", jsonPath = ".status.failedChecks", type = Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Interval", jsonPath = ".spec.analysis.interval", type = Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Mirror", jsonPath = ".spec.analysis.mirror", type = Type.BOOLEAN, priority = 1)
@AdditionalPrinterColumn(name = "StepWeight", jsonPath = ".spec.analysis.stepWeight", type = Type.STRING, priority = 1)
@AdditionalPrinterColumn(
        name = "StepWeights",
        jsonPath = ".spec.analysis.stepWeights",
        type = Type.STRING,
        priority = 1)
@AdditionalPrinterColumn(name = "MaxWeight", jsonPath = ".spec.analysis.maxWeight", type = Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "LastTransitionTime", jsonPath = ".status.lastTransitionTime", type = Type.STRING)
public class Canary extends Resource<CanarySpec, CanaryStatus> {}
