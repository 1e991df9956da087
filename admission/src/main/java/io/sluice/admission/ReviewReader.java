package io.sluice.admission;

import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.filter.FilteringParserDelegate;
import tools.jackson.core.filter.TokenFilter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns an AdmissionReview body into a JSON tree. {@link #FULL} keeps everything, for the handlers that decode or
 * validate whole objects. {@link #DEPLOYMENTS} is for the mutating webhook, which every Deployment change in the
 * cluster passes through: a Jackson {@link FilteringParserDelegate} leaves out of {@code request.object} and
 * {@code request.oldObject} the parts that Sluice neither reads nor writes, which are most of a real Deployment's
 * bytes:
 * <ul>
 *   <li>{@code status};</li>
 *   <li>{@code metadata.managedFields[*].fieldsV1} (the entries stay, with their manager, operation and time,
 *       which tell who sent the change);</li>
 *   <li>the annotation {@code kubectl.kubernetes.io/last-applied-configuration}, a copy of the whole object.</li>
 * </ul>
 * Containers are never left out, only values inside them (empty ones included), so a path that exists in the
 * request exists in the tree. The mutating handler's patch is the difference of two trees that both lack the same
 * parts, so what is left out is in no patch: the API server keeps it as it is.
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
        try (JsonParser parser = new FilteringParserDelegate(
                JSON.createParser(bytes, offset, length),
                Leave.REVIEW,
                TokenFilter.Inclusion.INCLUDE_ALL_AND_PATH,
                true)) {
            JsonNode review = JSON.readTree(parser);
            if (parser.nextToken() != null) {
                throw new StreamReadException(parser, "trailing content after the AdmissionReview");
            }
            return review;
        }
    };

    /**
     * One object of the review on the way to a left-out part: the member {@code leave} is left out, the members of
     * {@code next} are read with the filter given there, everything else is kept whole.
     */
    final class Leave extends TokenFilter {
        private static final Leave OBJECT = new Leave(
                "status",
                Map.of(
                        "metadata",
                        new Leave(
                                null,
                                Map.of(
                                        "managedFields", new Leave("fieldsV1", Map.of()),
                                        "annotations",
                                                new Leave(
                                                        "kubectl.kubernetes.io/last-applied-configuration",
                                                        Map.of())))));
        static final Leave REVIEW =
                new Leave(null, Map.of("request", new Leave(null, Map.of("object", OBJECT, "oldObject", OBJECT))));

        private final String leave;
        private final Map<String, Leave> next;

        private Leave(String leave, Map<String, Leave> next) {
            this.leave = leave;
            this.next = next;
        }

        @Override
        public TokenFilter includeProperty(String name) {
            if (name.equals(leave)) {
                return null;
            }
            Leave filter = next.get(name);
            return filter == null ? INCLUDE_ALL : filter;
        }

        /** The items of an array on the way (managedFields) are read with the same filter. */
        @Override
        public TokenFilter includeElement(int index) {
            return this;
        }

        @Override
        public boolean includeEmptyObject(boolean contentsFiltered) {
            return true;
        }

        @Override
        public boolean includeEmptyArray(boolean contentsFiltered) {
            return true;
        }
    }
}
