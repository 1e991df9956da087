package io.sluice.model.flagger;

import io.sluice.model.ResourceList;

/** The list kind of {@link MetricTemplate}. */
public class MetricTemplateList extends ResourceList<MetricTemplate> {}
