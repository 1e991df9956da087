package io.sluice.analyzer.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.model.Extensible;
import io.sluice.model.flagger.CanaryCondition;
import io.sluice.model.flagger.CanaryStatus;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hand-written copies the decision relies on keep every field, including fields added after them: each test fills
 * every property it finds by reflection, so a new field that a copy forgets fails here instead of vanishing silently.
 */
class CopiesTest {

    @Test
    void theStatusCopyKeepsEveryField() throws Exception {
        CanaryStatus status = filled(CanaryStatus.class);
        CanaryStatus copy = Statuses.copy(status);
        assertThat(copy).usingRecursiveComparison().isEqualTo(status);
        assertThat(copy).isNotSameAs(status);
        assertThat(copy.conditions).isNotSameAs(status.conditions);
        assertThat(copy.conditions.get(0)).isNotSameAs(status.conditions.get(0));
        assertThat(copy.currentRun).isNotSameAs(status.currentRun);
        assertThat(copy.trackedConfigs).isNotSameAs(status.trackedConfigs);
    }

    @Test
    void theObservationsBuilderKeepsEveryComponent() throws Exception {
        RecordComponent[] components = Observations.class.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = sample(components[i].getGenericType(), components[i].getName());
        }
        Observations all = Observations.class.getDeclaredConstructor(types).newInstance(values);
        assertThat(all.toBuilder().build()).isEqualTo(all);
        for (int i = 0; i < components.length; i++) {
            // Equal because each component was kept, not because a default matched the sample.
            assertThat(components[i].getAccessor().invoke(all))
                    .as(components[i].getName())
                    .isEqualTo(values[i]);
        }
    }

    private static Object sample(Type type, String name) {
        String t = type.getTypeName();
        return switch (t) {
            case "java.lang.String" -> name + "-value";
            case "long" -> 42L;
            case "boolean" -> true;
            case "java.lang.Integer" -> 7;
            case "java.time.Duration" -> Duration.ofSeconds(90);
            case "java.util.List<java.lang.String>" -> List.of(name + "-item");
            case "java.util.Map<java.lang.String, java.lang.String>" -> Map.of(name, "v");
            case "java.util.Map<java.lang.String, io.sluice.analyzer.decision.HookOutcome>" ->
                Map.of("hook/rollout/load-test", new HookOutcome("load-test", true, 200, null));
            case "java.util.Map<java.lang.String, io.sluice.analyzer.decision.MetricOutcome>" ->
                Map.of("metric/m", new MetricOutcome("m", MetricOutcome.Verdict.NO_DATA, null, "no values"));
            case "io.sluice.analyzer.decision.Workload" -> Workload.settled(name, 3);
            case "io.sluice.analyzer.decision.Routes" -> Routes.accepted(70, 30);
            case "io.sluice.analyzer.decision.NoDataPolicy" -> NoDataPolicy.HOLD;
            case "io.sluice.analyzer.decision.ProviderAvailability" -> new ProviderAvailability(false, "down");
            case "io.sluice.analyzer.decision.ProgressBudget$Standing" -> new ProgressBudget.Standing(2, 3, 3);
            default -> throw new AssertionError("teach this test a sample of " + t + " (" + name + ")");
        };
    }

    /** An instance with every public field set to a value no default produces, and an unknown field. */
    private static <T> T filled(Class<T> type) throws Exception {
        T o = type.getDeclaredConstructor().newInstance();
        for (Field f : type.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            f.set(o, value(f.getType(), f.getGenericType(), f.getName()));
        }
        if (o instanceof Extensible e) {
            e.setUnknownField("x-" + type.getSimpleName(), "kept");
        }
        return o;
    }

    private static Object value(Class<?> raw, Type generic, String name) throws Exception {
        if (raw == String.class) {
            return name + "-value";
        }
        if (raw == Integer.class) {
            return name.length();
        }
        if (raw == Long.class) {
            return (long) name.length() * 1000;
        }
        if (raw == Map.class) {
            return new java.util.LinkedHashMap<>(Map.of(name, "v"));
        }
        if (raw == List.class) {
            Type item = ((ParameterizedType) generic).getActualTypeArguments()[0];
            return new java.util.ArrayList<>(List.of(item == String.class ? name + "-item" : filled((Class<?>) item)));
        }
        if (Extensible.class.isAssignableFrom(raw)) {
            return filled(raw);
        }
        throw new AssertionError("teach this test a value of " + generic + " (" + name + ")");
    }

    @Test
    void theFillerReachesConditions() throws Exception {
        // Guards against the reflection above skipping a nested type and the comparison passing vacuously.
        CanaryCondition c = filled(CanaryStatus.class).conditions.get(0);
        assertThat(c.message).isEqualTo("message-value");
        assertThat(c.unknownFields()).containsEntry("x-CanaryCondition", "kept");
    }
}
