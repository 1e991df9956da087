package io.sluice.model.flagger;

import io.sluice.model.ResourceList;

/** The list kind of {@link Canary}. */
public class CanaryList extends ResourceList<Canary> {}
