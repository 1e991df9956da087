package io.sluice.analyzer.gates;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.sluice.analyzer.decision.Severity;
import io.sluice.analyzer.gates.LocalHttpServer.Reply;
import io.sluice.model.flagger.AlertProvider;
import io.sluice.model.flagger.Canary;
import io.sluice.model.flagger.CanaryAnalysis;
import io.sluice.model.flagger.CanaryPhase;
import io.sluice.model.flagger.MetricTemplate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpNotifierTest {
    private static final Instant NOW = Instant.parse("2026-11-26T16:00:00.123Z");
    private static final String TARGET_FIELDS = "[Target=Deployment/podinfo.test, Failed checks threshold=5, "
            + "Progress deadline=60s, Traffic routing=Weight step: 30 max: 50]";

    private static Vertx vertx;
    private static WebClient client;
    private LocalHttpServer chat;
    private AnalyzerMetrics metrics;
    private StaticObjectLookup lookup;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stopVertx() {
        await(vertx.close());
    }

    @BeforeEach
    void setUp() {
        chat = new LocalHttpServer(vertx);
        metrics = new AnalyzerMetrics(Registries.fresh(), "test", "gloo-mesh");
        lookup = new StaticObjectLookup();
    }

    @AfterEach
    void tearDown() {
        chat.close();
    }

    private HttpNotifier notifier(GatesConfig.Builder config) {
        GatesConfig c = config.clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
        WebClient insecure =
                WebClient.create(vertx, new WebClientOptions().setTrustAll(true).setVerifyHost(false));
        HttpWebhookGate hooks = new HttpWebhookGate(client, insecure, d -> Future.succeededFuture(), c, metrics);
        return new HttpNotifier(client, hooks, lookup, c, metrics);
    }

    private HttpNotifier notifier() {
        return notifier(GatesConfig.builder());
    }

    private Canary withAlert(String provider, String severity) {
        Canary canary = Fixtures.podinfo();
        CanaryAnalysis.Alert alert = new CanaryAnalysis.Alert();
        alert.name = "on-call";
        alert.severity = severity;
        alert.providerRef = new CanaryAnalysis.TemplateReference(provider, null);
        canary.getSpec().analysis.alerts = new ArrayList<>(List.of(alert));
        return canary;
    }

    private AlertProvider provider(String name, String type, String address, String secret) {
        AlertProvider p = new AlertProvider();
        p.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace("test").build());
        AlertProvider.Spec spec = new AlertProvider.Spec();
        spec.type = type;
        spec.address = address;
        spec.channel = "releases";
        if (secret != null) {
            spec.secretRef = new MetricTemplate.SecretReference();
            spec.secretRef.name = secret;
        }
        p.setSpec(spec);
        lookup.putAlertProvider(p);
        return p;
    }

    private double alerts(String provider, String outcome) {
        return Scrapes.value(
                metrics.scrape(), "sluice_alerts_total{outcome=\"" + outcome + "\",provider=\"" + provider + "\"}");
    }

    @Test
    void slackGetsOneAttachmentWithTheCanaryAndItsFields() {
        provider("chat", "slack", chat.url() + "/services/T0/B0", null);
        await(notifier()
                .send(
                        withAlert("chat", "info"),
                        "New revision detected, progressing canary analysis.",
                        Severity.INFO,
                        true));
        assertThat(chat.last().path()).isEqualTo("/services/T0/B0");
        JsonObject body = new JsonObject(chat.last().body());
        assertThat(body.getString("channel")).isEqualTo("releases");
        assertThat(body.getString("username")).isEqualTo("flagger");
        assertThat(body.getString("icon_url")).isEmpty();
        assertThat(body.getString("icon_emoji")).isEqualTo(":rocket:");
        JsonObject attachment = body.getJsonArray("attachments").getJsonObject(0);
        assertThat(attachment.getString("color")).isEqualTo("good");
        assertThat(attachment.getString("author_name")).isEqualTo("podinfo.test");
        assertThat(attachment.getString("text")).isEqualTo("New revision detected, progressing canary analysis.");
        assertThat(attachment.getJsonArray("mrkdwn_in").encode()).isEqualTo("[\"text\"]");
        assertThat(slackFields(attachment)).isEqualTo(TARGET_FIELDS);
        assertThat(attachment.getJsonArray("fields").getJsonObject(0).getBoolean("short"))
                .isFalse();
        assertThat(alerts("slack", "sent")).isEqualTo(1.0);
    }

    private static String slackFields(JsonObject attachment) {
        List<String> out = new ArrayList<>();
        attachment
                .getJsonArray("fields")
                .forEach(f -> out.add(((JsonObject) f).getString("title") + "=" + ((JsonObject) f).getString("value")));
        return out.toString();
    }

    @Test
    void theTrafficRoutingFieldShowsTheMaxWeightAsTheSpecHasIt() {
        provider("chat", "slack", chat.url() + "/hook", null);
        Canary unset = withAlert("chat", "info");
        unset.getSpec().analysis.maxWeight = null;
        await(notifier().send(unset, "m", Severity.INFO, true));
        assertThat(slackFields(new JsonObject(chat.last().body())
                        .getJsonArray("attachments")
                        .getJsonObject(0)))
                .as("unset: 0, as Flagger shows it, though the run goes to the default 100")
                .endsWith("Traffic routing=Weight step: 30 max: 0]");

        Canary steps = withAlert("chat", "info");
        steps.getSpec().analysis.stepWeight = null;
        steps.getSpec().analysis.stepWeights = List.of(10, 40);
        steps.getSpec().analysis.maxWeight = null;
        await(notifier().send(steps, "m", Severity.INFO, true));
        assertThat(slackFields(new JsonObject(chat.last().body())
                        .getJsonArray("attachments")
                        .getJsonObject(0)))
                .endsWith("Traffic routing=Weight steps: 10,40 max: 0]");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "an error alert is red on Slack            | slack   | /hook       | attachments.0.color | danger",
                "Discord receives Slack's shape on /slack  | discord | /hook/slack | attachments.0.color | danger",
                "Rocket.Chat uses hex colours              | rocket  | /hook       | attachments.0.color | #FF0000",
                "MS Teams gets a red MessageCard           | msteams | /hook       | themeColor          | FF0000",
                "Google Chat gets Flagger's card header    | gchat   | /hook       | cards.0.header.title | Flagger",
                "Google Chat's header has Flagger's image  | gchat   | /hook       | cards.0.header.imageUrl | https://flagger.app/favicon.png",
            })
    void eachProviderTypeGetsItsShape(String name, String type, String path, String field, String expected) {
        provider("chat", type, chat.url() + "/hook", null);
        await(notifier().send(withAlert("chat", "error"), "Failed checks threshold reached 5", Severity.ERROR, false));
        assertThat(chat.requests()).hasSize(1);
        assertThat(chat.last().path()).isEqualTo(path);
        assertThat(chat.last().header("Content-Type")).startsWith("application/json");
        assertThat(at(new JsonObject(chat.last().body()), field)).isEqualTo(expected);
        assertThat(alerts(type, "sent")).isEqualTo(1.0);
    }

    private static Object at(JsonObject json, String path) {
        Object current = json;
        for (String part : path.split("\\.")) {
            current = current instanceof JsonObject o
                    ? o.getValue(part)
                    : ((io.vertx.core.json.JsonArray) current).getValue(Integer.parseInt(part));
        }
        return current;
    }

    @Test
    void msTeamsCardCarriesTheMessageAndFacts() {
        provider("teams", "msteams", chat.url() + "/webhookb2", null);
        await(notifier()
                .send(
                        withAlert("teams", "info"),
                        "Canary analysis completed successfully, promotion finished.",
                        Severity.INFO,
                        true));
        JsonObject body = new JsonObject(chat.last().body());
        assertThat(body.getString("@type")).isEqualTo("MessageCard");
        assertThat(body.getString("@context")).isEqualTo("http://schema.org/extensions");
        assertThat(body.getString("themeColor")).isEqualTo("0076D7");
        assertThat(body.getString("summary")).isEqualTo("podinfo.test");
        JsonObject section = body.getJsonArray("sections").getJsonObject(0);
        assertThat(section.getString("activityTitle"))
                .isEqualTo("Canary analysis completed successfully, promotion finished.");
        assertThat(section.getString("activitySubtitle")).isEqualTo("podinfo.test");
        assertThat(section.getJsonArray("facts").getJsonObject(0).getMap())
                .isEqualTo(Map.of("name", "Target", "value", "Deployment/podinfo.test"));
    }

    @Test
    void googleChatHasOneSectionForTheMessageAndOnePerField() {
        provider("gc", "gchat", chat.url() + "/v1/spaces/x", null);
        await(notifier(GatesConfig.builder().clusterName("cluster1"))
                .send(withAlert("gc", "info"), "Canary is waiting for approval.", Severity.WARN, false));
        JsonObject card =
                new JsonObject(chat.last().body()).getJsonArray("cards").getJsonObject(0);
        assertThat(card.getJsonObject("header").getString("subtitle")).isEqualTo("podinfo.test");
        assertThat(card.getJsonArray("sections")).hasSize(2);
        assertThat(at(card, "sections.0.widgets.0.textParagraph.text"))
                .isEqualTo("<font color=#848484><strong>Canary is waiting for approval.</strong></font>");
        assertThat(at(card, "sections.1.widgets.0.textParagraph.text"))
                .isEqualTo("Cluster<br><font color=#848484><strong>cluster1</strong></font>");
    }

    @Test
    void theSecretsAddressWinsAndItsTokenIsSentAsBearer() {
        provider("chat", "slack", "http://127.0.0.1:1/never-used", "slack-secret");
        lookup.putSecret("test", "slack-secret", Map.of("address", chat.url() + "/from-secret", "token", "xoxb-1"));
        await(notifier().send(withAlert("chat", "info"), "m", Severity.INFO, false));
        assertThat(chat.last().path()).isEqualTo("/from-secret");
        assertThat(chat.last().header("Authorization")).isEqualTo("Bearer xoxb-1");
    }

    @Test
    void aSecretWithoutAddressIsAFailureThatIsCounted() {
        provider("chat", "slack", chat.url(), "broken");
        lookup.putSecret("test", "broken", Map.of("token", "x"));
        await(notifier().send(withAlert("chat", "info"), "m", Severity.INFO, false));
        assertThat(chat.requests()).isEmpty();
        assertThat(alerts("slack", "failed")).isEqualTo(1.0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "an info entry sends info                      | info  | INFO  | true",
                "an info entry sends errors                    | info  | ERROR | true",
                "a warn entry skips info                       | warn  | INFO  | false",
                "a warn entry sends warnings                   | warn  | WARN  | true",
                "a warn entry sends errors                     | warn  | ERROR | true",
                "an error entry skips warnings                 | error | WARN  | false",
                "an error entry sends errors                   | error | ERROR | true",
                "an empty severity means info and sends info   | ''    | INFO  | true",
            })
    void routesBySeverity(String name, String entry, Severity severity, boolean sent) {
        provider("chat", "slack", chat.url(), null);
        await(notifier().send(withAlert("chat", entry), "m", severity, false));
        assertThat(chat.requests()).hasSize(sent ? 1 : 0);
    }

    @Test
    void withoutAlertEntriesTheGlobalSlackGetsEverySeverityAndTeamsOnlyWithoutSlack() {
        Canary canary = Fixtures.podinfo();
        HttpNotifier notifier = notifier(GatesConfig.builder()
                .slack(new GatesConfig.ChatSettings(chat.url() + "/slack-global", "", "", ""))
                .msTeams(new GatesConfig.ChatSettings(chat.url() + "/teams-global", "", "", "")));
        await(notifier.send(canary, "Failed checks threshold reached 5", Severity.ERROR, false));
        await(notifier.send(canary, "New revision detected", Severity.INFO, false));
        assertThat(chat.requests())
                .as("one global channel: Slack when both are set")
                .extracting(LocalHttpServer.Request::path)
                .containsExactly("/slack-global", "/slack-global");
        await(notifier(GatesConfig.builder()
                        .msTeams(new GatesConfig.ChatSettings(chat.url() + "/teams-global", "", "", "")))
                .send(canary, "m", Severity.INFO, false));
        assertThat(chat.last().path()).isEqualTo("/teams-global");
        JsonObject slack = new JsonObject(chat.requests().stream()
                .filter(r -> r.path().equals("/slack-global"))
                .findFirst()
                .orElseThrow()
                .body());
        assertThat(slack.getString("channel")).isEqualTo("general");
        assertThat(slack.getString("username")).isEqualTo("flagger");
    }

    @Test
    void theGlobalSlackTokenIsSentAsBearerAndOnlyThere() {
        HttpNotifier notifier = notifier(GatesConfig.builder()
                .slack(new GatesConfig.ChatSettings(chat.url() + "/slack-global", "", "", "", "xoxb-global")));
        await(notifier.send(Fixtures.podinfo(), "m", Severity.INFO, false));
        assertThat(chat.requests())
                .filteredOn(r -> r.path().equals("/slack-global"))
                .singleElement()
                .satisfies(r -> assertThat(r.header("Authorization")).isEqualTo("Bearer xoxb-global"));
        await(notifier(GatesConfig.builder()
                        .msTeams(new GatesConfig.ChatSettings(chat.url() + "/teams-global", "", "", "")))
                .send(Fixtures.podinfo(), "m", Severity.INFO, false));
        assertThat(chat.requests())
                .filteredOn(r -> r.path().equals("/teams-global"))
                .singleElement()
                .satisfies(r -> assertThat(r.header("Authorization")).isNull());
        assertThat(new GatesConfig.ChatSettings("https://hooks.example/T0/B0/secret", "", "", "", "xoxb-global")
                        .toString())
                .doesNotContain("xoxb")
                .doesNotContain("secret");
    }

    @Test
    void withoutAlertEntriesOrGlobalSettingsNothingIsSent() {
        await(notifier().send(Fixtures.podinfo(), "m", Severity.ERROR, true));
        assertThat(chat.requests()).isEmpty();
    }

    @Test
    void aProviderThatFailsOrHangsIsCountedAndDoesNotThrow() {
        provider("chat", "slack", chat.url(), null);
        chat.reply(r -> new Reply(500, "oops"));
        await(notifier().send(withAlert("chat", "info"), "m", Severity.INFO, false));
        chat.reply(r -> Reply.HANG);
        await(notifier(GatesConfig.builder().alertTimeout(Duration.ofMillis(300)))
                .send(withAlert("chat", "info"), "m", Severity.INFO, false));
        assertThat(alerts("slack", "failed")).isEqualTo(2.0);
    }

    @Test
    void anAddressThatIsNotAUrlIsAFailureThatIsCounted() {
        provider("chat", "msteams", "not a url", null);
        await(notifier().send(withAlert("chat", "info"), "m", Severity.INFO, false));
        assertThat(alerts("msteams", "failed")).isEqualTo(1.0);
    }

    @Test
    void neitherASecretAddressNorAProxyPasswordReachesTheLog() {
        ch.qos.logback.classic.Logger log =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(HttpNotifier.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
                new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        log.addAppender(seen);
        try {
            AlertProvider bad = provider("chat", "slack", null, "slack-secret");
            bad.getSpec().proxy = "http://proxyuser:pr0xy-pass@:not-a-port";
            lookup.putSecret(
                    "test", "slack-secret", Map.of("address", "https://hooks.slack.com/services/T000/B000/XXXXSECRET"));
            await(notifier().send(withAlert("chat", "info"), "m", Severity.INFO, false));
            provider("teams", "msteams", null, "teams-secret");
            lookup.putSecret("test", "teams-secret", Map.of("address", "https://teams example/XXXXSECRET"));
            await(notifier().send(withAlert("teams", "info"), "m", Severity.INFO, false));
        } finally {
            log.detachAppender(seen);
        }
        assertThat(seen.list)
                .hasSize(2)
                .allSatisfy(e -> assertThat(e.getFormattedMessage())
                        .doesNotContain("XXXXSECRET")
                        .doesNotContain("pr0xy-pass")
                        .doesNotContain("proxyuser"));
        assertThat(seen.list.get(0).getFormattedMessage())
                .contains("https://hooks.slack.com")
                .contains("invalid proxy (expected scheme://host:port)");
        assertThatThrownBy(() -> HttpNotifier.proxyOptions("http://u:pr0xy-pass@host:99999999999"))
                .hasMessage("invalid proxy (expected scheme://host:port)");
    }

    @Test
    void alertsGoThroughTheProxy() {
        AlertProvider p = provider("chat", "slack", "http://chat.example.invalid/hook", null);
        p.getSpec().proxy = chat.url();
        await(notifier().send(withAlert("chat", "info"), "m", Severity.INFO, false));
        assertThat(chat.requests()).hasSize(1);
        assertThat(chat.last().header("Host")).isEqualTo("chat.example.invalid");
        assertThat(alerts("slack", "sent")).isEqualTo(1.0);
    }

    @Test
    void eventsGoToTheCanarysEventHooksWithTheEnvelope() {
        Canary canary = Fixtures.podinfo();
        CanaryAnalysis.Webhook hook = new CanaryAnalysis.Webhook();
        hook.name = "audit";
        hook.type = "event";
        hook.url = chat.url() + "/events";
        hook.metadata = Map.of("team", "payments", "eventType", "cannot override");
        canary.getSpec().analysis.webhooks.add(hook);
        await(notifier(GatesConfig.builder().eventWebhook(chat.url() + "/global"))
                .forward(canary, "Normal", "New revision detected! Scaling up podinfo.test", CanaryPhase.Progressing));
        assertThat(chat.requests()).hasSize(1);
        assertThat(chat.last().path()).isEqualTo("/events");
        JsonObject body = new JsonObject(chat.last().body());
        assertThat(body.getString("phase")).isEqualTo("Progressing");
        assertThat(body.getJsonObject("metadata").getMap())
                .isEqualTo(Map.of(
                        "team", "payments",
                        "eventType", "Normal",
                        "eventMessage", "New revision detected! Scaling up podinfo.test",
                        "timestamp", Long.toString(NOW.toEpochMilli())));
        assertThat(Scrapes.value(metrics.scrape(), "sluice_events_forwarded_total{outcome=\"sent\"}"))
                .isEqualTo(1.0);
    }

    @Test
    void eventsOfACanaryWithoutEventHooksGoToTheGlobalEventWebhook() {
        Canary canary = Fixtures.podinfo();
        canary.getStatus().phase = "Failed";
        HttpNotifier notifier = notifier(GatesConfig.builder().eventWebhook(chat.url() + "/global"));
        await(notifier.forward(
                canary,
                "Warning",
                "Canary failed! Scaling down podinfo.test",
                canary.getStatus().phase()));
        JsonObject body = new JsonObject(chat.last().body());
        assertThat(chat.last().path()).isEqualTo("/global");
        assertThat(body.getString("name")).isEqualTo("podinfo");
        assertThat(body.getString("phase")).isEqualTo("Failed");
        assertThat(body.getJsonObject("metadata").getString("eventType")).isEqualTo("Warning");
    }

    @Test
    void aFailingEventWebhookIsCountedNotThrown() {
        chat.reply(r -> new Reply(500, ""));
        await(notifier(GatesConfig.builder().eventWebhook(chat.url()))
                .forward(Fixtures.podinfo(), "Normal", "m", CanaryPhase.Progressing));
        assertThat(Scrapes.value(metrics.scrape(), "sluice_events_forwarded_total{outcome=\"failed\"}"))
                .isEqualTo(1.0);
    }
}
