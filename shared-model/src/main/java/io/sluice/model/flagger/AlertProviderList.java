package io.sluice.model.flagger;

import io.sluice.model.ResourceList;

/** The list kind of {@link AlertProvider}. */
public class AlertProviderList extends ResourceList<AlertProvider> {}
