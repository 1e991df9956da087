package io.sluice.admission;

import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns an AdmissionReview body into a JSON tree. {@link #FULL} keeps everything, for the handlers that decode or
 * validate whole objects. {@link #DEPLOYMENTS} is for the mutating webhook, which every Deployment change in the
 * cluster passes through: it leaves out of {@code request.object} and {@code request.oldObject} the parts that
 * Sluice neither reads nor writes, which are most of a real Deployment's bytes:
 * <ul>
 *   <li>{@code status};</li>
 *   <li>{@code metadata.managedFields[*].fieldsV1} (the entries stay, with their manager, operation and time,
 *       which tell who sent the change);</li>
 *   <li>the annotation {@code kubectl.kubernetes.io/last-applied-configuration}, a copy of the whole object.</li>
 * </ul>
 * Containers are never left out, only values inside them, so a path that exists in the request exists in the
 * tree. The mutating handler's patch is the difference of two trees that both lack the same parts, so what is left
 * out is in no patch: the API server keeps it as it is.
 *
 * <p>Malformed JSON is rejected whether it sits in a kept or a left-out part: the parser reads every token.
 */
interface ReviewReader {
    JsonNode read(byte[] bytes, int offset, int length) throws JacksonException;

    ObjectMapper JSON = JsonMapper.builder().build();

    /** The whole review. */
    ReviewReader FULL = (bytes, offset, length) -> JSON.readTree(bytes, offset, length);

    /** The review without what the mutating webhook never touches (see the class comment). */
    ReviewReader DEPLOYMENTS = (bytes, offset, length) -> {
        try (JsonParser parser = JSON.createParser(bytes, offset, length)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return null;
            }
            JsonNode review = Pruning.value(parser, Pruning.REVIEW);
            if (parser.nextToken() != null) {
                throw new StreamReadException(parser, "trailing content after the AdmissionReview");
            }
            return review;
        }
    };

    /** The streaming tree builder behind {@link #DEPLOYMENTS}: a small tree of rules, one per level. */
    final class Pruning {
        private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

        /** How the children of one object (or the items of one array) are read. */
        private record Rule(Set<String> left, java.util.Map<String, Rule> children, Rule items) {
            Rule childRule(String name) {
                return children.get(name);
            }
        }

        private static final Rule OBJECT = new Rule(Set.of("status"), java.util.Map.of(
                "metadata", new Rule(Set.of(), java.util.Map.of(
                        "managedFields", new Rule(Set.of(), java.util.Map.of(),
                                new Rule(Set.of("fieldsV1"), java.util.Map.of(), null)),
                        "annotations", new Rule(Set.of("kubectl.kubernetes.io/last-applied-configuration"),
                                java.util.Map.of(), null)), null)), null);
        static final Rule REVIEW = new Rule(Set.of(), java.util.Map.of(
                "request", new Rule(Set.of(), java.util.Map.of("object", OBJECT, "oldObject", OBJECT), null)), null);

        private Pruning() {
        }

        /** The value at the parser's current token, read to its end; {@code rule} may be null (keep all). */
        static JsonNode value(JsonParser parser, Rule rule) {
            JsonToken token = parser.currentToken();
            switch (token) {
                case START_OBJECT: {
                    ObjectNode object = NODES.objectNode();
                    for (String name = parser.nextName(); name != null; name = parser.nextName()) {
                        parser.nextToken();
                        if (rule != null && rule.left().contains(name)) {
                            parser.skipChildren();
                        } else {
                            object.set(name, value(parser, rule == null ? null : rule.childRule(name)));
                        }
                    }
                    return object;
                }
                case START_ARRAY: {
                    ArrayNode array = NODES.arrayNode();
                    Rule items = rule == null ? null : rule.items();
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        array.add(value(parser, items));
                    }
                    return array;
                }
                case VALUE_STRING:
                    return NODES.stringNode(parser.getString());
                case VALUE_NUMBER_INT:
                    return switch (parser.getNumberType()) {
                        case INT -> NODES.numberNode(parser.getIntValue());
                        case LONG -> NODES.numberNode(parser.getLongValue());
                        default -> NODES.numberNode(parser.getBigIntegerValue());
                    };
                case VALUE_NUMBER_FLOAT:
                    return NODES.numberNode(parser.getDoubleValue());
                case VALUE_TRUE:
                    return NODES.booleanNode(true);
                case VALUE_FALSE:
                    return NODES.booleanNode(false);
                case VALUE_NULL:
                    return NODES.nullNode();
                default:
                    throw new StreamReadException(parser, "unexpected token " + token);
            }
        }
    }
}
