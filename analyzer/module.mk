# Analyzer targets, included by the root Makefile.
ANALYZER_JAVA_OPTS ?= -Xms64m -Xmx256m
ANALYZER_ARGS ?=

.PHONY: analyzer-package analyzer-help run deploy

analyzer-package: ## build the analyzer's runnable jar: analyzer/target/analyzer-<version>.jar + analyzer/target/lib/
	$(MVN) -q package -pl analyzer -am -DskipTests

analyzer-help: analyzer-package ## print the analyzer's flags
	java -jar $$(ls analyzer/target/analyzer-*.jar | head -1) --help

run: analyzer-package build-admission ## run the analyzer and the admission service locally against the current kubeconfig context (ANALYZER_ARGS=..., ARGS=... for admission flags; Ctrl-C stops both)
	@$(ADMISSION_ENV) java $(ADMISSION_JAVA_OPTS) -cp $(ADMISSION_RUNTIME) io.sluice.admission.Main $(ARGS) & \
	  ADMISSION_PID=$$!; trap 'kill $$ADMISSION_PID 2>/dev/null' EXIT INT TERM; \
	  java $(ANALYZER_JAVA_OPTS) -jar $$(ls analyzer/target/analyzer-*.jar | head -1) --no-leader-election $(ANALYZER_ARGS)

deploy: ## install Sluice (CRDs, admission, analyzer) into the current kubeconfig context
	kubectl apply -k manifests

# Coverage-guided fuzzing (Jazzer) of the MetricTemplate query renderer and the Prometheus answer parser. Plain test
# runs replay the committed corpus (analyzer/src/test/resources/io/sluice/analyzer/gates/*FuzzTestInputs/<method>/);
# this target fuzzes each test for ANALYZER_FUZZ_RUNS inputs. A finding fails the target and is written next to that
# corpus as crash-<sha1>, so every later test run replays it; the inputs that found new coverage are kept in
# analyzer/.cifuzz-corpus/ for the next run (not committed). libFuzzer's progress, ending in a DONE line with exec/s,
# goes to the console.
ANALYZER_FUZZ_RUNS ?= 100000
ANALYZER_FUZZ_TESTS ?= QueriesFuzzTest\#render PrometheusResponseFuzzTest\#parse
ANALYZER_FUZZ_INSTRUMENT ?= io.sluice.**,io.vertx.core.json.**,com.fasterxml.jackson.core.**

.PHONY: fuzz-analyzer

fuzz-analyzer: ## fuzz the analyzer's template renderer and Prometheus answer parser, ANALYZER_FUZZ_RUNS inputs each (not part of make test)
	@for t in $(ANALYZER_FUZZ_TESTS); do \
	  echo "fuzzing $$t for $(ANALYZER_FUZZ_RUNS) inputs"; \
	  JAZZER_FUZZ=1 $(MVN) -q -pl analyzer -am test -Dtest="$$t" -Dsurefire.failIfNoSpecifiedTests=false \
	    -Djazzer.max_executions=$(ANALYZER_FUZZ_RUNS) '-Djazzer.instrument=$(ANALYZER_FUZZ_INSTRUMENT)' || exit 1; \
	done

.PHONY: chaos

chaos: ## the crash harness at every crash point of the seed runs (208 points, a few minutes; not part of make test)
	$(MVN) -pl analyzer -am verify -Dtest=NONE -Dit.test=CrashAtEveryStepIT -Dsurefire.failIfNoSpecifiedTests=false \
	  -Dfailsafe.failIfNoSpecifiedTests=false
