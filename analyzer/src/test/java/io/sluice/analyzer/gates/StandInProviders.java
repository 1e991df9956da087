package io.sluice.analyzer.gates;

import static io.sluice.analyzer.testing.Futures.await;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every provider's test shares: one Vert.x and web client per class, and per test a fresh lookup and the
 * stand-in servers it starts, closed after it.
 */
abstract class StandInProviders {
    static Vertx vertx;
    static WebClient client;
    StaticObjectLookup lookup;
    private final List<LocalHttpServer> started = new ArrayList<>();

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
    void newLookup() {
        lookup = new StaticObjectLookup();
    }

    @AfterEach
    void closeStandIns() {
        started.forEach(LocalHttpServer::close);
        started.clear();
    }

    /** A stand-in server that is closed after the test. */
    LocalHttpServer standIn() {
        LocalHttpServer server = new LocalHttpServer(vertx);
        started.add(server);
        return server;
    }
}
