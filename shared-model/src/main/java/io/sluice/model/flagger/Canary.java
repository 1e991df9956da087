package io.sluice.model.flagger;

import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.sluice.model.Resource;

/** A canary release of one workload ({@code canaries.flagger.app/v1beta1}), wire-compatible with Flagger's Canary. */
@Group(Flagger.GROUP)
@Version(Flagger.VERSION)
@Kind("Canary")
@Plural("canaries")
@Singular("canary")
@Categories("all")
public class Canary extends Resource<CanarySpec, CanaryStatus> {
}
