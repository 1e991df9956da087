package io.sluice.model.gloo;

import io.sluice.model.ResourceList;

/** The list kind of {@link RouteTable}. */
public class RouteTableList extends ResourceList<RouteTable> {}
