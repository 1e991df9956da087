package io.sluice.analyzer.gates;

import io.sluice.analyzer.decision.Severity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The JSON each chat provider type receives for one alert. */
final class AlertPayloads {
    private AlertPayloads() {}

    /**
     * The header image of a Google Chat card: Flagger's, as the header's title is, so that spaces and the filters
     * built on Flagger's cards see the same card from Sluice.
     */
    static final String GOOGLE_CHAT_IMAGE = "https://flagger.app/favicon.png";

    /** A titled value under the alert's message (target, cluster, traffic routing …). */
    record Field(String name, String value) {}

    /** Slack's incoming-webhook message: one attachment, green or (for errors) red. */
    static JsonObject slack(
            String channel, String username, String canaryKey, String message, Severity severity, List<Field> fields) {
        return slackShape(
                channel, username, canaryKey, message, fields, severity == Severity.ERROR ? "danger" : "good");
    }

    /** Discord reads Slack's shape on its {@code /slack} endpoint. */
    static JsonObject discord(
            String channel, String username, String canaryKey, String message, Severity severity, List<Field> fields) {
        return slack(channel, username, canaryKey, message, severity, fields);
    }

    /** Rocket.Chat reads Slack's shape; colours are hex. */
    static JsonObject rocket(
            String channel, String username, String canaryKey, String message, Severity severity, List<Field> fields) {
        return slackShape(
                channel, username, canaryKey, message, fields, severity == Severity.ERROR ? "#FF0000" : "#0076D7");
    }

    private static JsonObject slackShape(
            String channel, String username, String canaryKey, String message, List<Field> fields, String color) {
        JsonArray attachmentFields = new JsonArray();
        fields.forEach(f -> attachmentFields.add(
                new JsonObject().put("title", f.name()).put("value", f.value()).put("short", false)));
        JsonObject attachment = new JsonObject()
                .put("color", color)
                .put("author_name", canaryKey)
                .put("text", message)
                .put("mrkdwn_in", new JsonArray().add("text"))
                .put("fields", attachmentFields);
        return new JsonObject()
                .put("channel", channel)
                .put("username", username)
                .put("icon_url", "")
                .put("icon_emoji", ":rocket:")
                .put("attachments", new JsonArray().add(attachment));
    }

    /** An Office 365 connector MessageCard. */
    static JsonObject msTeams(String canaryKey, String message, Severity severity, List<Field> fields) {
        JsonArray facts = new JsonArray();
        fields.forEach(f -> facts.add(new JsonObject().put("name", f.name()).put("value", f.value())));
        return new JsonObject()
                .put("@type", "MessageCard")
                .put("@context", "http://schema.org/extensions")
                .put("themeColor", severity == Severity.ERROR ? "FF0000" : "0076D7")
                .put("summary", canaryKey)
                .put(
                        "sections",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("activityTitle", message)
                                        .put("activitySubtitle", canaryKey)
                                        .put("facts", facts)));
    }

    /** A Google Chat card: the message, then one section per field. */
    static JsonObject googleChat(String canaryKey, String message, List<Field> fields) {
        JsonArray sections =
                new JsonArray().add(section("<font color=#848484><strong>" + message + "</strong></font>"));
        fields.forEach(f ->
                sections.add(section(f.name() + "<br><font color=#848484><strong>" + f.value() + "</strong></font>")));
        return new JsonObject()
                .put(
                        "cards",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put(
                                                "header",
                                                new JsonObject()
                                                        .put("title", "Flagger")
                                                        .put("subtitle", canaryKey)
                                                        .put("imageUrl", GOOGLE_CHAT_IMAGE))
                                        .put("sections", sections)));
    }

    private static JsonObject section(String html) {
        return new JsonObject()
                .put(
                        "widgets",
                        new JsonArray().add(new JsonObject().put("textParagraph", new JsonObject().put("text", html))));
    }
}
