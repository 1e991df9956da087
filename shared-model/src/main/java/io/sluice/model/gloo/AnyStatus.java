package io.sluice.model.gloo;

import io.fabric8.crd.generator.annotation.PreserveUnknownFields;

/**
 * The CRD schema of a Gloo Mesh status: an object the API server keeps as written. Gloo writes its statuses in
 * shapes that differ from version to version, so the stand-in CRDs describe none of them (see {@code @SchemaSwap}
 * on the resources). Never instantiated.
 */
@PreserveUnknownFields
public final class AnyStatus {
    private AnyStatus() {}
}
