package io.sluice.analyzer.kube;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.model.flagger.Canary;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.deser.BeanDeserializerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.TreeTraversingParser;

/**
 * The analyzer's client serialization: one Canary that cannot be decoded never fails a list or a watch, so it cannot
 * stop the informers (and with them every other Canary's release).
 *
 * <ul>
 *   <li>The parser accepts JSON nested up to {@value #MAX_PARSER_DEPTH} levels: the API server (Go's
 *       {@code encoding/json}) refuses anything deeper than 10,000, so every object it can hand out is parsed.
 *       Jackson's default (500) would fail the whole list on one deep object.
 *   <li>Each Canary is read as a tree first (Jackson builds trees without recursion), then decoded; a Canary nested
 *       deeper than {@value #MAX_CANARY_DEPTH} levels, or one the model cannot take (a wrong type), becomes an
 *       {@link UndecodableCanary}: its metadata, its provider and the reason, nothing else. The reconcile skips it
 *       with a Warning Event (silently when another provider's).
 * </ul>
 */
public final class TolerantSerialization {
    /** One more than Go's {@code encoding/json} nesting limit, which bounds what the API server stores. */
    public static final int MAX_PARSER_DEPTH = 10_001;
    /**
     * Deeper than any real Canary (the deepest fields Sluice knows, a match's header rules or a traffic policy, are
     * under 12 levels); decoding deeper trees would recurse that deep into the model.
     */
    public static final int MAX_CANARY_DEPTH = 100;

    private TolerantSerialization() {}

    public static KubernetesSerialization create() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_PARSER_DEPTH)
                        .build())
                .build();
        ObjectMapper mapper = JsonMapper.builder(factory)
                .addMixIn(Canary.class, TolerantCanary.class)
                .build();
        return new KubernetesSerialization(mapper, true);
    }

    /** Puts {@link Tolerant} in place of the client's own deserializer for Canaries. */
    @JsonDeserialize(using = Tolerant.class)
    private abstract static class TolerantCanary {}

    /**
     * Reads the Canary as a tree, then decodes it with the model's bean deserializer (built the way the client builds
     * it for a registered kind), or gives it up as an {@link UndecodableCanary}.
     */
    static final class Tolerant extends ValueDeserializer<Canary> {
        private volatile ValueDeserializer<Object> bean;

        @Override
        public Canary deserialize(JsonParser p, DeserializationContext ctxt) {
            JsonNode tree = ctxt.readTree(p);
            String problem = depthProblem(tree);
            if (problem == null) {
                try (JsonParser nodes = new TreeTraversingParser(tree, ctxt)) {
                    nodes.nextToken();
                    return (Canary) bean(ctxt).deserialize(nodes, ctxt);
                } catch (RuntimeException e) {
                    problem = shorten(e);
                }
            }
            return UndecodableCanary.of(tree, problem);
        }

        private ValueDeserializer<Object> bean(DeserializationContext ctxt) {
            ValueDeserializer<Object> b = bean;
            if (b == null) {
                JavaType type = ctxt.constructType(Canary.class);
                b = BeanDeserializerFactory.instance.createBeanDeserializer(
                        ctxt,
                        type,
                        ctxt.introspectBeanDescriptionForCreation(type).supplier());
                b.resolve(ctxt);
                @SuppressWarnings("unchecked")
                ValueDeserializer<Object> contextual = (ValueDeserializer<Object>) b.createContextual(ctxt, null);
                bean = b = contextual;
            }
            return b;
        }

        private static String shorten(RuntimeException e) {
            String m = e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage();
            m = m == null ? e.getClass().getSimpleName() : m;
            String path =
                    e instanceof JacksonException j && !j.getPath().isEmpty() ? " at " + j.getPathReference() : "";
            String text = m + path;
            return text.length() > 300 ? text.substring(0, 300) + "…" : text;
        }
    }

    /** Null when {@code tree} is at most {@link #MAX_CANARY_DEPTH} levels deep; walked without recursion. */
    static String depthProblem(JsonNode tree) {
        Deque<Map.Entry<JsonNode, Integer>> todo = new ArrayDeque<>();
        todo.push(Map.entry(tree, 1));
        while (!todo.isEmpty()) {
            Map.Entry<JsonNode, Integer> e = todo.pop();
            if (e.getValue() > MAX_CANARY_DEPTH) {
                return "nested deeper than " + MAX_CANARY_DEPTH + " levels";
            }
            if (e.getKey().isContainer()) {
                for (JsonNode child : e.getKey().values()) {
                    todo.push(Map.entry(child, e.getValue() + 1));
                }
            }
        }
        return null;
    }
}
