package io.sluice.sandbox.apiserver;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The subset of JSONPath that CRD printer columns use: dotted field names with optional array
 * indexes ({@code .status.conditions[0].type}) and simple filters
 * ({@code .status.conditions[?(@.type=="Promoted")].status}).
 */
final class JsonPaths {

    private JsonPaths() {}

    static Object read(JsonObject root, String path) {
        if (path == null) {
            return null;
        }
        Object current = root;
        String p = path.startsWith(".") ? path.substring(1) : path;
        for (String segment : split(p)) {
            if (current == null) {
                return null;
            }
            String field = segment;
            String index = null;
            int bracket = segment.indexOf('[');
            if (bracket >= 0) {
                field = segment.substring(0, bracket);
                index = segment.substring(bracket + 1, segment.lastIndexOf(']'));
            }
            if (!field.isEmpty()) {
                current = current instanceof JsonObject o ? o.getValue(field) : null;
            }
            if (index != null) {
                current = index(current, index);
            }
        }
        return current;
    }

    private static Object index(Object current, String index) {
        if (!(current instanceof JsonArray a)) {
            return null;
        }
        if (index.startsWith("?(@.")) {
            String expr = index.substring(4, index.length() - 1);
            String[] parts = expr.split("==", 2);
            String key = parts[0].trim();
            String want = parts[1].trim().replace("\"", "").replace("'", "");
            for (Object o : a) {
                if (o instanceof JsonObject e && want.equals(String.valueOf(e.getValue(key)))) {
                    return e;
                }
            }
            return null;
        }
        int i = Integer.parseInt(index.trim());
        return i < a.size() ? a.getValue(i) : null;
    }

    private static java.util.List<String> split(String p) {
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        for (char c : p.toCharArray()) {
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            }
            if (c == '.' && depth == 0) {
                out.add(sb.toString());
                sb.setLength(0);
            } else {
                sb.append(c);
            }
        }
        out.add(sb.toString());
        return out;
    }
}
