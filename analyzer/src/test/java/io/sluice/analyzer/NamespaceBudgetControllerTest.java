package io.sluice.analyzer;

import static io.sluice.analyzer.testing.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sluice.model.WellKnown;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The whole controller (informers, queue, reconciler) against the mock API server with a namespace's cap of the
 * concurrency budget: the Namespace's annotation holds its Canaries, not the others', and a run that ends there lets
 * the next one start at once. The analysis interval is an hour, so nothing here moves on a tick.
 */
class NamespaceBudgetControllerTest {
    MockCluster cluster;
    Fleet fleet;
    Vertx vertx;
    final TestGates gates = new TestGates();
    final ch.qos.logback.classic.Logger capsLog =
            (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(NamespaceCaps.class);
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void start() {
        logged.start();
        capsLog.addAppender(logged);
        cluster = new MockCluster();
        fleet = new Fleet(cluster);
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        capsLog.detachAppender(logged);
        await(vertx.close());
        cluster.close();
    }

    void deploy() throws Exception {
        Controller controller = new Controller(
                cluster.client, Settings.defaults(), null, gates, gates, gates, Clock.systemUTC(), () -> true);
        await(vertx.deployVerticle(controller));
    }

    @Test
    @DisplayName("a namespace's cap holds its second Canary with the namespace's queue named, leaves other namespaces"
            + " alone, and the waiter starts as soon as the run ahead of it ends")
    void namespaceCap() throws Exception {
        fleet.namespace("team-a", "1");
        fleet.namespace("team-b", null);
        for (String[] c : new String[][] {{"team-a", "one"}, {"team-a", "two"}, {"team-b", "three"}}) {
            fleet.create(c[0], c[1]);
        }
        deploy();
        fleet.settleUntil(() -> fleet.phase("team-a", "one").equals("Initialized")
                && fleet.phase("team-a", "two").equals("Initialized")
                && fleet.phase("team-b", "three").equals("Initialized"));

        fleet.setImage("team-a", "one", "2");
        fleet.settleUntil(() -> fleet.phase("team-a", "one").equals("Progressing"));
        fleet.setImage("team-a", "two", "2");
        fleet.settleUntil(() -> fleet.phase("team-a", "two").equals("Waiting"));
        assertThat(fleet.queued("team-a", "two").message)
                .isEqualTo("Waiting for a free slot of namespace team-a: 1 canaries progressing in it, at most 1"
                        + " (sluice.io/max-progressing-canaries on the namespace); place 1 in the namespace's queue");
        fleet.setImage("team-b", "three", "2");
        fleet.settleUntil(() -> fleet.phase("team-b", "three").equals("Progressing"));

        // The run ahead ends (a person aborts it): the waiter is woken at once, not at its next tick an hour on.
        fleet.abort("team-a", "one");
        fleet.settleUntil(() -> fleet.phase("team-a", "one").equals("Failed"));
        fleet.settleUntil(() -> fleet.phase("team-a", "two").equals("Progressing"));
        assertThat(fleet.queued("team-a", "two")).isNull();
    }

    @Test
    @DisplayName("an invalid cap is ignored, and said once per namespace and value, not on every reconcile")
    void invalidCap() throws Exception {
        fleet.namespace("team-c", "two");
        fleet.create("team-c", "one");
        fleet.create("team-c", "two");
        deploy();
        fleet.settleUntil(() -> fleet.phase("team-c", "one").equals("Initialized")
                && fleet.phase("team-c", "two").equals("Initialized"));
        fleet.setImage("team-c", "one", "2");
        fleet.settleUntil(() -> fleet.phase("team-c", "one").equals("Progressing"));
        fleet.setImage("team-c", "two", "2");
        fleet.settleUntil(() -> fleet.phase("team-c", "two").equals("Progressing"));
        assertThat(warnings())
                .containsExactly("namespace team-c: annotation sluice.io/max-progressing-canaries=\"two\" is not a"
                        + " non-negative integer; the namespace has no cap of its own");

        cluster.client.namespaces().withName("team-c").edit(n -> {
            n.getMetadata().getAnnotations().put(WellKnown.MAX_PROGRESSING_ANNOTATION, "-1");
            return n;
        });
        String before = fleet.run("team-c", "one");
        fleet.setImage("team-c", "one", "3");
        fleet.settleUntil(() -> !before.equals(fleet.run("team-c", "one")));
        String other = fleet.run("team-c", "two");
        fleet.setImage("team-c", "two", "3");
        fleet.settleUntil(() -> !other.equals(fleet.run("team-c", "two")));
        assertThat(warnings()).hasSize(2).last().asString().contains("\"-1\"");
    }

    List<String> warnings() {
        return logged.list.stream()
                .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }
}
