package io.sluice.analyzer;

import io.sluice.analyzer.gates.ObjectLookup;
import io.sluice.analyzer.kube.Kube;
import io.sluice.model.flagger.AlertProvider;
import io.sluice.model.flagger.MetricTemplate;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** The objects the gates read, through the same worker pool as every other Kubernetes call. */
final class KubeObjectLookup implements ObjectLookup {
    private final Kube kube;

    KubeObjectLookup(Kube kube) {
        this.kube = kube;
    }

    @Override
    public Future<MetricTemplate> template(String namespace, String name) {
        return kube.metricTemplate(namespace, name)
                .compose(t -> t != null
                        ? Future.succeededFuture(t)
                        : Future.failedFuture("metrictemplates.flagger.app \"" + name + "\" not found"));
    }

    @Override
    public Future<Map<String, String>> secretData(String namespace, String name) {
        return kube.secretOf(namespace, name).compose(s -> {
            if (s == null) {
                return Future.failedFuture("secrets \"" + name + "\" not found");
            }
            Map<String, String> data = new LinkedHashMap<>();
            if (s.getData() != null) {
                s.getData()
                        .forEach((k, v) ->
                                data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
            }
            if (s.getStringData() != null) {
                data.putAll(s.getStringData());
            }
            return Future.succeededFuture(data);
        });
    }

    @Override
    public Future<AlertProvider> alertProvider(String namespace, String name) {
        return kube.alertProvider(namespace, name)
                .compose(p -> p != null
                        ? Future.succeededFuture(p)
                        : Future.failedFuture("alertproviders.flagger.app \"" + name + "\" not found"));
    }
}
