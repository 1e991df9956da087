package io.sluice.model.validation;

import io.sluice.model.flagger.AlertProvider;
import java.util.List;
import java.util.stream.Stream;

/** Judges an AlertProvider on its own. */
public final class AlertProviderValidator {
    /** The types the CRD allows. */
    public static final List<String> TYPES =
            Stream.of(AlertProvider.Type.values()).map(Enum::name).toList();

    private AlertProviderValidator() {}

    public static List<Violation> validate(AlertProvider provider) {
        Checks checks = new Checks();
        AlertProvider.Spec spec = provider.getSpec();
        if (!checks.required("spec", spec)) {
            return checks.violations();
        }
        if (checks.required("spec.type", spec.type)) {
            checks.oneOf("spec.type", spec.type, TYPES);
        }
        boolean address = spec.address != null && !spec.address.isEmpty();
        if (!address && spec.secretRef == null) {
            checks.add("spec.address", "is required unless spec.secretRef names a Secret with an address key");
        }
        checks.httpUrl("spec.address", spec.address);
        checks.httpUrl("spec.proxy", spec.proxy);
        if (spec.secretRef != null) {
            checks.required("spec.secretRef.name", spec.secretRef.name);
        }
        return checks.violations();
    }
}
