package io.sluice.model.flagger;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Required;
import io.sluice.model.Extensible;

/** An entry of {@code status.conditions}; Canaries carry one, of type {@code Promoted}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanaryCondition extends Extensible {
    @Required
    public String type;

    @Required
    public String status;

    public String lastUpdateTime;
    public String lastTransitionTime;

    @Required
    public String reason;

    public String message;
}
