package io.sluice.analyzer.kube;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.model.flagger.Canary;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.deser.BeanDeserializerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.util.TokenBuffer;

/**
 * The analyzer's client serialization: one Canary that cannot be decoded never fails a list or a watch, so it cannot
 * stop the informers (and with them every other Canary's release).
 *
 * <ul>
 *   <li>The parser accepts JSON nested up to {@value #MAX_PARSER_DEPTH} levels: the API server (Go's
 *       {@code encoding/json}) refuses anything deeper than 10,000, so every object it can hand out is parsed.
 *       Jackson's default (500) would fail the whole list on one deep object.
 *   <li>Each Canary is copied into a token buffer first (its depth counted by a loop), then decoded; a Canary nested
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
     * Copies the Canary's tokens into a buffer, counting its depth on the way (a loop, not recursion), then decodes
     * the buffer with the model's bean deserializer (built the way the client builds it for a registered kind), or
     * gives it up as an {@link UndecodableCanary}, whose tree is built from the same buffer. A buffer, not a tree:
     * every watch event and write answer of a Canary passes here, and building its tree first cost a tenth of the
     * analyzer's CPU at 10,000 Canaries.
     */
    static final class Tolerant extends ValueDeserializer<Canary> {
        /** How many times a bean deserializer was built: once per mapper when this one is cached. */
        static final java.util.concurrent.atomic.AtomicInteger BUILT = new java.util.concurrent.atomic.AtomicInteger();

        private volatile ValueDeserializer<Object> bean;

        /** Cached by the mapper: otherwise each Canary of a watch event got a new one, and built its bean again. */
        @Override
        public boolean isCachable() {
            return true;
        }

        @Override
        public Canary deserialize(JsonParser p, DeserializationContext ctxt) {
            TokenBuffer copy = ctxt.bufferForInputBuffering(p);
            int deepest = copyValue(p, copy);
            String problem = deepest > MAX_CANARY_DEPTH ? "nested deeper than " + MAX_CANARY_DEPTH + " levels" : null;
            if (problem == null) {
                try (JsonParser buffered = copy.asParserOnFirstToken(ctxt)) {
                    return (Canary) bean(ctxt).deserialize(buffered, ctxt);
                } catch (RuntimeException e) {
                    problem = shorten(e);
                }
            }
            try (JsonParser buffered = copy.asParserOnFirstToken(ctxt)) {
                return UndecodableCanary.of(ctxt.readTree(buffered), problem);
            }
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
                BUILT.incrementAndGet();
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

    /**
     * Copies the value {@code p} stands on into {@code copy}, leaving {@code p} on its last token, and answers how
     * many levels deep it is: a container counts one level, a scalar one more than the container holding it.
     */
    static int copyValue(JsonParser p, TokenBuffer copy) {
        int depth = 0;
        int deepest = 0;
        JsonToken t = p.currentToken();
        while (true) {
            if (t.isStructStart()) {
                deepest = Math.max(deepest, ++depth);
            } else if (t.isStructEnd()) {
                depth--;
            } else if (t.isScalarValue()) {
                deepest = Math.max(deepest, depth + 1);
            }
            copy.copyCurrentEvent(p);
            if (depth == 0) {
                return deepest;
            }
            t = p.nextToken();
        }
    }
}
