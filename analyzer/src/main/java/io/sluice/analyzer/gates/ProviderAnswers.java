package io.sluice.analyzer.gates;

import io.sluice.analyzer.gates.ProviderHttp.Answer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Reads the answers of JSON APIs the same way for every provider: no response, a status other than 200, a body over
 * the cap or one that is not the expected JSON each become a {@link QueryResult.Failed} with a text saying which, so a
 * provider only says where its value is.
 */
final class ProviderAnswers {
    private ProviderAnswers() {}

    /** Reads the value out of a decoded body; may throw {@link ClassCastException} on a field of the wrong type. */
    @FunctionalInterface
    interface Reader {
        QueryResult read(JsonObject body);
    }

    /** Reads the value out of a whole 200 answer of a provider that does not answer with a JSON object. */
    @FunctionalInterface
    interface ResponseReader {
        QueryResult read(Answer.Response response);
    }

    static QueryResult judge(Answer answer, Reader reader) {
        return judgeResponse(answer, response -> {
            try {
                return reader.read(new JsonObject(response.body()));
            } catch (DecodeException e) {
                return new QueryResult.Failed(response.unusable("not a JSON object"));
            } catch (ClassCastException e) {
                return new QueryResult.Failed(response.unusable("a field has the wrong type"));
            }
        });
    }

    /** As {@link #judge}, for a reader that parses the body itself. */
    static QueryResult judgeResponse(Answer answer, ResponseReader reader) {
        if (answer instanceof Answer.Unreachable u) {
            return new QueryResult.Failed(u.error());
        }
        Answer.Response response = (Answer.Response) answer;
        if (!response.ok()) {
            return new QueryResult.Failed(response.error());
        }
        if (response.truncated()) {
            return new QueryResult.Failed(response.unusable(
                    "the answer is larger than " + (PrometheusClient.MAX_BODY / 1024 / 1024) + " MiB"));
        }
        return reader.read(response);
    }

    /** Null when the answer is a 200, else why not. */
    static String online(Answer answer) {
        if (answer instanceof Answer.Unreachable u) {
            return u.error();
        }
        Answer.Response response = (Answer.Response) answer;
        return response.ok() ? null : response.error();
    }

    /**
     * The number at {@code index} of {@code array}: no values when the array is shorter or holds null there (a bucket
     * without data), a failure when it holds something that is not a number.
     */
    static QueryResult number(JsonArray array, int index, String what) {
        if (array == null || array.size() <= index || array.getValue(index) == null) {
            return new QueryResult.NoValues();
        }
        if (array.getValue(index) instanceof Number n) {
            return new QueryResult.Value(n.doubleValue());
        }
        return new QueryResult.Failed("error unmarshaling result: " + what + " is not a number: "
                + PrometheusClient.abbreviate(String.valueOf(array.getValue(index))));
    }

    /** A credential as sent in a header: a trailing newline (from {@code echo} into a Secret) would be refused. */
    static String credential(ProviderTarget target, String key) {
        String v = target.secretValue(key);
        return v == null ? null : v.trim();
    }

    /** Why the provider cannot be asked at {@code target}'s address, or null. */
    static String addressProblem(String type, ProviderTarget target) {
        try {
            ProviderHttp.url(type, target.address(), "");
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
