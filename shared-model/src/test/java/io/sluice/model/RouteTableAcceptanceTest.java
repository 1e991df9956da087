package io.sluice.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.gloo.RouteTable;
import io.sluice.model.gloo.RouteTableAcceptance;
import io.sluice.model.gloo.RouteTableAcceptance.Verdict;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTableAcceptanceTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "no status yet|3||NO_STATUS",
                "2.3+ accepted at the current generation|3|{\"common\":{\"State\":{\"observedGeneration\":3,\"approval\":\"ACCEPTED\"}}}|ACCEPTED",
                "2.3+ accepted an older generation|3|{\"common\":{\"State\":{\"observedGeneration\":2,\"approval\":\"ACCEPTED\"}}}|PENDING",
                "2.3+ with no approval is pending|3|{\"common\":{\"State\":{\"observedGeneration\":3}}}|PENDING",
                "2.3+ invalid|3|{\"common\":{\"State\":{\"observedGeneration\":3,\"approval\":\"INVALID\",\"message\":\"bad\"}}}|REJECTED",
                "a lower-case state key is read too|3|{\"common\":{\"state\":{\"observedGeneration\":3,\"approval\":\"WARNING\"}}}|ACCEPTED",
                "2.0 accepted in every cluster|3|{\"workspaces\":{\"podinfo\":{\"clusters\":{\"cluster1\":{\"generic\":{\"observedGeneration\":3,\"state\":\"ACCEPTED\"}}}}}}|ACCEPTED",
                "2.0 failed in one cluster|3|{\"workspaces\":{\"podinfo\":{\"clusters\":{\"c1\":{\"generic\":{\"observedGeneration\":3,\"state\":\"ACCEPTED\"}},\"c2\":{\"generic\":{\"observedGeneration\":3,\"state\":\"FAILED\"}}}}}}|REJECTED",
                "2.0 global state only|3|{\"global\":{\"state\":\"ACCEPTED\"}}|ACCEPTED"
            })
    void readsEitherStatusShape(String name, long generation, String status, Verdict verdict) {
        String json =
                "{\"apiVersion\":\"networking.gloo.solo.io/v2\",\"kind\":\"RouteTable\",\"metadata\":{\"name\":\"d\","
                        + "\"generation\":" + generation + "}" + (status == null ? "" : ",\"status\":" + status) + "}";
        RouteTable table = Fixtures.SERIALIZATION.unmarshal(json, RouteTable.class);
        assertThat(RouteTableAcceptance.of(table).verdict()).isEqualTo(verdict);
    }
}
