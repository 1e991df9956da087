package io.sluice.model.flagger;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.sluice.model.Extensible;
import java.util.List;
import java.util.Map;

/** A request condition in Flagger's (Istio's) shape, used by {@code service.match} and {@code analysis.match}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HttpMatch extends Extensible {
    public String name;
    public StringMatch uri;
    public StringMatch scheme;
    public StringMatch method;
    public StringMatch authority;
    public Map<String, StringMatch> headers;
    public Map<String, StringMatch> queryParams;
    public Map<String, StringMatch> withoutHeaders;
    public Boolean ignoreUriCase;
    public Integer port;
    public Map<String, String> sourceLabels;
    public String sourceNamespace;
    public List<String> gateways;

    /** Exactly one of the four is meant to be set. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class StringMatch extends Extensible {
        public String exact;
        public String prefix;
        public String suffix;
        public String regex;

        public static StringMatch exact(String value) {
            StringMatch m = new StringMatch();
            m.exact = value;
            return m;
        }

        public static StringMatch prefix(String value) {
            StringMatch m = new StringMatch();
            m.prefix = value;
            return m;
        }

        public static StringMatch regex(String value) {
            StringMatch m = new StringMatch();
            m.regex = value;
            return m;
        }
    }
}
