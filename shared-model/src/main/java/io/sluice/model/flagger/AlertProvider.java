package io.sluice.model.flagger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import io.sluice.model.Extensible;
import io.sluice.model.Resource;

/** Where alerts go ({@code alertproviders.flagger.app/v1beta1}). */
@Group(Flagger.GROUP)
@Version(Flagger.VERSION)
@Kind("AlertProvider")
@Plural("alertproviders")
@Singular("alertprovider")
@AdditionalPrinterColumn(name = "Type", jsonPath = ".spec.type")
public class AlertProvider extends Resource<AlertProvider.Spec, MetricTemplate.Status> {

    /** {@code AlertProvider.spec}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec extends Extensible {
        @Required
        @SchemaFrom(type = Type.class)
        @JsonPropertyDescription("slack, msteams, discord, rocket or gchat.")
        public String type;

        @JsonPropertyDescription("Channel (default general).")
        public String channel;

        @JsonPropertyDescription("Sender name (default flagger).")
        public String username;

        @JsonPropertyDescription("Webhook URL; a Secret's address key overrides it.")
        public String address;

        @JsonPropertyDescription("HTTP proxy URL.")
        public String proxy;

        @JsonPropertyDescription("Secret with address and optionally token.")
        public MetricTemplate.SecretReference secretRef;
    }

    /** The values of {@code spec.type}, named as they are written. */
    public enum Type {
        slack,
        msteams,
        discord,
        rocket,
        gchat
    }
}
