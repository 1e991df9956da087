/**
 * Crash at every step (issue 13's first proof): the seed runs (promotion, rollback, A/B, blue/green, deletion with
 * {@code revertOnDeletion}) against fabric8's mock API server, with the analyzer crashing after each of its writes and a
 * fresh instance finishing the run. {@code CrashAtEveryStepTest} (in {@code mvn test}) takes a subset, {@code
 * CrashAtEveryStepIT} ({@code make chaos}, kept out of {@code make test}: see analyzer/pom.xml) every crash point; the class comment of the former says what is asserted
 * and why.
 *
 * <p>Run them alone: {@code mvn -B -ntp -q -pl analyzer -am test -Dtest='io/sluice/analyzer/crash/**'
 * -Dsurefire.failIfNoSpecifiedTests=false} (the pattern also picks up the {@code *IT} class: one to two and a half
 * minutes more on two cores, with the machine's load). Surefire reads {@code -Dtest='io.sluice.analyzer.crash.*'} as a
 * class named {@code crash} with any extension and runs nothing.
 */
package io.sluice.analyzer.crash;
