package io.sluice.admission;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.sluice.model.validation.Violation;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

/**
 * Decodes admitted objects into model classes with fabric8's serialization, strictly: a string where the schema
 * wants a number or a boolean is an error with the field's path, not a silent conversion, because the API server
 * would store exactly what was sent.
 */
final class ObjectDecoder {
    private static final ObjectMapper TEXT = JsonMapper.builder().build();
    private static final Map<Class<?>, String> JSON_TYPES = Map.of(
            Integer.class,
            "an integer",
            Long.class,
            "an integer",
            Double.class,
            "a number",
            Boolean.class,
            "a boolean",
            String.class,
            "a string",
            List.class,
            "an array",
            Map.class,
            "an object");

    private final KubernetesSerialization serialization;

    ObjectDecoder() {
        this.serialization = new StrictSerialization();
        KubeCalls.registerModel(serialization);
    }

    /**
     * fabric8's serialization with its Go-compatible leniency taken back: fabric8 reads {@code "60"} as the integer
     * 60, and Jackson turns strings into numbers and booleans; the API server does neither.
     */
    private static final class StrictSerialization extends KubernetesSerialization {
        StrictSerialization() {
            // Without fabric8's class-path scan of every resource class (see KubeCalls.serialization).
            super(JsonMapper.builder().build(), false);
        }

        @Override
        protected ObjectMapper configureMapper(ObjectMapper mapper) {
            return super.configureMapper(mapper)
                    .rebuild()
                    .addModule(new SimpleModule("sluice-strict-integers")
                            .addDeserializer(Integer.class, new StrictInteger()))
                    .withCoercionConfig(
                            LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
                    .withCoercionConfig(
                            LogicalType.Float, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
                    .withCoercionConfig(
                            LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
                    .withCoercionConfig(
                            LogicalType.Textual,
                            c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                    .build();
        }
    }

    /** An integer is a JSON integer that fits in 32 bits, nothing else. */
    private static final class StrictInteger extends ValueDeserializer<Integer> {
        @Override
        public Integer deserialize(JsonParser p, DeserializationContext ctxt) {
            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
                return p.getIntValue();
            }
            return (Integer) ctxt.handleUnexpectedToken(Integer.class, p);
        }
    }

    /** The decoded object, or the reason it does not decode, with the path of the offending field. */
    <T> Decoded<T> decode(JsonNode object, Class<T> type) {
        try {
            Object value = serialization.unmarshal(TEXT.writeValueAsString(object), type);
            if (!type.isInstance(value)) {
                // fabric8 picks the class from the object's own apiVersion and kind, which can disagree with the
                // kind the API server says it is admitting.
                return new Decoded<>(
                        null,
                        new Violation(
                                "kind",
                                "the object is a " + object.path("apiVersion").asString("") + " "
                                        + object.path("kind").asString("") + ", not a " + type.getSimpleName()));
            }
            return new Decoded<>(type.cast(value), null);
        } catch (RuntimeException e) {
            // fabric8 wraps mapping failures in its own exception; the Jackson cause carries the field path.
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof JacksonException je) {
                    return new Decoded<>(null, new Violation(path(je), describe(je)));
                }
            }
            return new Decoded<>(null, new Violation("", "the object does not decode: " + e.getMessage()));
        }
    }

    /** Either a value or the violation that kept it from decoding. */
    record Decoded<T>(T value, Violation error) {}

    private static String path(JacksonException e) {
        StringBuilder out = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    private static String describe(JacksonException e) {
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            Class<?> target = m.getTargetType();
            String wanted = JSON_TYPES.get(target);
            if (wanted == null && List.class.isAssignableFrom(target)) {
                wanted = "an array";
            } else if (wanted == null
                    && (Map.class.isAssignableFrom(target) || !target.getName().startsWith("java."))) {
                wanted = "an object";
            }
            if (wanted != null) {
                return "must be " + wanted;
            }
        }
        String message = e.getOriginalMessage();
        int cut = message.indexOf('\n');
        return cut < 0 ? message : message.substring(0, cut);
    }
}
