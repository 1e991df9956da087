package io.sluice.model.gloo;

import io.fabric8.crd.generator.annotation.SchemaSwap;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.sluice.model.Resource;

/** A Gloo Mesh route table ({@code routetables.networking.gloo.solo.io/v2}). */
@Group(RouteTable.GROUP)
@Version("v2")
@Kind("RouteTable")
@Plural("routetables")
@Singular("routetable")
@SchemaSwap(originalType = RouteTable.class, fieldName = "status", targetType = AnyStatus.class)
public class RouteTable extends Resource<RouteTableSpec, RouteTableStatus> {
    public static final String GROUP = "networking.gloo.solo.io";
    public static final String API_VERSION = GROUP + "/v2";
}
