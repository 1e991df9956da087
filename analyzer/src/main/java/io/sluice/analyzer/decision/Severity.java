package io.sluice.analyzer.decision;

/** Alert severities, lowest first. */
public enum Severity {
    INFO,
    WARN,
    ERROR
}
