package io.sluice.sandbox.apiserver;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Server-side printing ({@code Accept: application/json;as=Table}): the columns kubectl shows come
 * from the server. CRDs print their additionalPrinterColumns; built-in kinds print the columns
 * kubectl users know for the kinds the seed uses, and NAME/AGE otherwise.
 */
final class Tables {

    private Tables() {}

    static boolean wantsTable(String accept) {
        return accept != null && accept.contains("as=Table");
    }

    static JsonObject toTable(ResourceType type, JsonObject listOrObject, Instant now) {
        List<JsonObject> items = listOrObject.containsKey("items")
                ? listOrObject.getJsonArray("items").stream()
                        .map(o -> (JsonObject) o)
                        .toList()
                : List.of(listOrObject);
        JsonArray columns = new JsonArray().add(column("Name", "string", "name"));
        List<JsonObject> printer =
                type.printerColumns().stream().map(o -> (JsonObject) o).toList();
        boolean custom = !printer.isEmpty();
        boolean event = type.kind().equals("Event");
        if (event) {
            // As kubectl shows Events: the name is only in the wide output.
            columns.getJsonObject(0).put("priority", 1);
            builtinColumns(type.kind()).forEach(c -> columns.add(column(c, "string", c)));
        } else if (custom) {
            printer.forEach(c -> columns.add(
                    column(c.getString("name"), c.getString("type", "string"), c.getString("description", ""))
                            .put("priority", c.getInteger("priority", 0))));
        } else {
            builtinColumns(type.kind()).forEach(c -> columns.add(column(c, "string", c)));
            columns.add(column("Age", "date", "age"));
        }
        JsonArray rows = new JsonArray();
        for (JsonObject item : items) {
            JsonObject metadata = item.getJsonObject("metadata", new JsonObject());
            JsonArray cells = new JsonArray().add(metadata.getString("name"));
            if (event) {
                builtinCells(type.kind(), item).forEach(cells::add);
                cells.set(1, age(cells.getValue(1), now));
            } else if (custom) {
                for (JsonObject c : printer) {
                    Object value = JsonPaths.read(item, c.getString("jsonPath"));
                    cells.add("date".equals(c.getString("type")) ? age(value, now) : value == null ? "" : value);
                }
            } else {
                builtinCells(type.kind(), item).forEach(cells::add);
                cells.add(age(metadata.getString("creationTimestamp"), now));
            }
            rows.add(new JsonObject()
                    .put("cells", cells)
                    .put(
                            "object",
                            new JsonObject()
                                    .put("kind", "PartialObjectMetadata")
                                    .put("apiVersion", "meta.k8s.io/v1")
                                    .put("metadata", metadata)));
        }
        JsonObject listMeta = listOrObject.containsKey("items")
                ? listOrObject.getJsonObject("metadata", new JsonObject())
                : new JsonObject();
        return new JsonObject()
                .put("kind", "Table")
                .put("apiVersion", "meta.k8s.io/v1")
                .put("metadata", listMeta)
                .put("columnDefinitions", columns)
                .put("rows", rows);
    }

    private static JsonObject column(String name, String type, String description) {
        return new JsonObject()
                .put("name", name)
                .put("type", type)
                .put("format", name.equals("Name") ? "name" : "")
                .put("description", description)
                .put("priority", 0);
    }

    private static List<String> builtinColumns(String kind) {
        return switch (kind) {
            case "Deployment" -> List.of("Ready", "Up-to-date", "Available");
            case "Service" -> List.of("Type", "Cluster-IP", "Ports");
            case "Namespace" -> List.of("Status");
            case "Event" -> List.of("Last Seen", "Type", "Reason", "Object", "Message");
            default -> List.of();
        };
    }

    private static List<Object> builtinCells(String kind, JsonObject item) {
        JsonObject spec = item.getJsonObject("spec", new JsonObject());
        JsonObject status = item.getJsonObject("status", new JsonObject());
        return switch (kind) {
            case "Deployment" ->
                List.of(
                        status.getInteger("readyReplicas", 0) + "/" + spec.getInteger("replicas", 1),
                        status.getInteger("updatedReplicas", 0),
                        status.getInteger("availableReplicas", 0));
            case "Service" ->
                List.of(
                        spec.getString("type", "ClusterIP"),
                        spec.getString("clusterIP", "<none>"),
                        String.join(
                                ",",
                                spec.getJsonArray("ports", new JsonArray()).stream()
                                        .map(p -> ((JsonObject) p).getValue("port") + "/"
                                                + ((JsonObject) p).getString("protocol", "TCP"))
                                        .toList()));
            case "Namespace" -> List.of(status.getString("phase", "Active"));
            case "Event" -> {
                JsonObject about =
                        item.getJsonObject("involvedObject", item.getJsonObject("regarding", new JsonObject()));
                Object last = firstNonEmpty(
                        item.getValue("lastTimestamp"),
                        item.getValue("deprecatedLastTimestamp"),
                        item.getValue("eventTime"),
                        item.getJsonObject("metadata", new JsonObject()).getValue("creationTimestamp"));
                yield java.util.Arrays.asList(
                        last,
                        item.getString("type", ""),
                        item.getString("reason", ""),
                        about.getString("kind", "").toLowerCase() + "/" + about.getString("name", ""),
                        item.getString("message", item.getString("note", "")));
            }
            default -> List.of();
        };
    }

    private static Object firstNonEmpty(Object... values) {
        for (Object v : values) {
            if (v != null && !v.toString().isEmpty()) {
                return v;
            }
        }
        return null;
    }

    static String age(Object timestamp, Instant now) {
        if (timestamp == null) {
            return "<unknown>";
        }
        try {
            Duration d = Duration.between(Instant.parse(timestamp.toString()), now);
            long s = Math.max(0, d.getSeconds());
            if (s < 120) {
                return s + "s";
            }
            if (s < 600) {
                return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
            }
            if (s < 3 * 3600) {
                return (s / 60) + "m";
            }
            if (s < 48 * 3600) {
                return (s / 3600) + "h";
            }
            return (s / 86400) + "d";
        } catch (DateTimeParseException e) {
            return timestamp.toString();
        }
    }
}
