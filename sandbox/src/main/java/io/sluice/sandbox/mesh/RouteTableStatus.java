package io.sluice.sandbox.mesh;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The status Gloo Mesh 2.3+ writes on a RouteTable once its translation took the table in:
 * {@code common.State} with the approval and the generation it saw, and how many parents delegate
 * to it. A delegate whose weights Gloo would reject (not summing to 100, or all zero) is INVALID.
 */
final class RouteTableStatus {

    private RouteTableStatus() {}

    static JsonObject of(JsonObject table, List<JsonObject> all) {
        JsonObject meta = table.getJsonObject("metadata");
        String name = meta.getString("name");
        String ns = meta.getString("namespace");
        long parents = all.stream().filter(p -> delegatesTo(p, name, ns)).count();
        String problem = weightProblem(table);
        JsonObject state = new JsonObject()
                .put("observedGeneration", meta.getLong("generation", 1L))
                .put("approval", problem == null ? "ACCEPTED" : "INVALID");
        if (problem != null) {
            state.put("message", problem);
        }
        JsonObject status = new JsonObject()
                .put(
                        "common",
                        new JsonObject()
                                .put("State", state)
                                .put(
                                        "workspaceConditions",
                                        new JsonObject().put(problem == null ? "ACCEPTED" : "INVALID", 1)))
                .put("ownedByWorkspace", "podinfo");
        boolean topLevel = !table.getJsonObject("spec", new JsonObject())
                .getJsonArray("hosts", new JsonArray())
                .isEmpty();
        if (topLevel) {
            status.put("numAllowedVirtualGateways", 1);
        } else {
            status.put("numParentRouteTables", parents);
        }
        return status;
    }

    private static boolean delegatesTo(JsonObject parent, String name, String ns) {
        String parentNs = parent.getJsonObject("metadata").getString("namespace");
        for (Object o : parent.getJsonObject("spec", new JsonObject()).getJsonArray("http", new JsonArray())) {
            JsonObject delegate = ((JsonObject) o).getJsonObject("delegate");
            if (delegate == null) {
                continue;
            }
            for (Object r : delegate.getJsonArray("routeTables", new JsonArray())) {
                JsonObject ref = (JsonObject) r;
                if (name.equals(ref.getString("name")) && ns.equals(ref.getString("namespace", parentNs))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String weightProblem(JsonObject table) {
        for (Object o : table.getJsonObject("spec", new JsonObject()).getJsonArray("http", new JsonArray())) {
            JsonObject forwardTo = ((JsonObject) o).getJsonObject("forwardTo");
            if (forwardTo == null) {
                continue;
            }
            JsonArray destinations = forwardTo.getJsonArray("destinations", new JsonArray());
            if (destinations.size() < 2) {
                continue;
            }
            long sum = destinations.stream()
                    .mapToLong(d -> ((JsonObject) d).getLong("weight", 0L))
                    .sum();
            if (sum == 0) {
                return "route " + ((JsonObject) o).getString("name", "") + ": destination weights are all zero";
            }
            if (sum != 100) {
                return "route " + ((JsonObject) o).getString("name", "") + ": destination weights sum to " + sum
                        + ", not 100";
            }
        }
        return null;
    }
}
