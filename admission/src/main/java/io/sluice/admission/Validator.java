package io.sluice.admission;

import io.sluice.model.validation.Violation;
import java.util.List;

/** Checks one decoded object on its own; every violation is returned, not only the first. */
@FunctionalInterface
interface Validator<T> {
    List<Violation> validate(T object);
}
