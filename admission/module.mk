# Admission service targets, included by the root Makefile.
# The service runs from its jar and its runtime dependencies; the benchmark's client adds the test class path.
ADMISSION_RUNTIME = admission/target/admission-$(VERSION).jar:$$(cat admission/target/runtime-classpath.txt)
ADMISSION_CP = admission/target/classpath.txt
# The JVM flags of the Deployment in manifests/admission (keep the two equal; README "JVM flags" says why each):
# run-admission and the bench's server JVM use them.
ADMISSION_JAVA_OPTS ?= -Xms96m -Xmx96m -XX:+UseSerialGC -XX:-TieredCompilation -XX:ReservedCodeCacheSize=32m \
  -XX:MaxMetaspaceSize=96m -Xss512k -XX:MaxDirectMemorySize=32m -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError
# The Deployment's MALLOC_ARENA_MAX: fewer glibc malloc arenas, less resident memory held by freed native blocks.
ADMISSION_ENV = MALLOC_ARENA_MAX=2
# Extra flags for the bench's service JVM only (e.g. -XX:NativeMemoryTracking=summary); empty by default.
BENCH_SERVICE_JAVA_OPTS ?=
# The bench's load generator is not the service: room for its latency samples, and its own collector.
BENCH_CLIENT_JAVA_OPTS ?= -Xmx256m -XX:+UseSerialGC

.PHONY: test-admission build-admission build-admission-bench run-admission bench-admission admission-help fuzz-admission

test-admission: ## run the admission module's tests (with the modules it depends on)
	$(MVN) verify -pl admission -am

build-admission: ## package the admission service's jar and write its runtime class path (no test-scoped libraries)
	$(MVN) -q package -pl admission -am -DskipTests dependency:build-classpath \
	  -Dmdep.outputFile=target/runtime-classpath.txt -DincludeScope=runtime

admission-help: build-admission ## print the admission service's flags
	java -cp $(ADMISSION_RUNTIME) io.sluice.admission.Main --help

run-admission: build-admission ## run the admission service locally against the current kubeconfig (ARGS=... for flags)
	$(ADMISSION_ENV) java $(ADMISSION_JAVA_OPTS) -cp $(ADMISSION_RUNTIME) io.sluice.admission.Main $(ARGS)

build-admission-bench: build-admission
	$(MVN) -q verify -pl admission -am -DskipTests dependency:build-classpath \
	  -Dmdep.outputFile=target/classpath.txt -DincludeScope=test

bench-admission: build-admission-bench ## load the mutating webhook over HTTPS at 1/50/200 connections vs a bare endpoint (BENCH_ARGS="secs warmup conns...")
	$(ADMISSION_ENV) java $(BENCH_CLIENT_JAVA_OPTS) -Dbench.server.jvm="$(ADMISSION_JAVA_OPTS)" \
	  -Dbench.service.jvm="$(BENCH_SERVICE_JAVA_OPTS)" \
	  -cp admission/target/test-classes:admission/target/classes:$$(cat $(ADMISSION_CP)) \
	  io.sluice.admission.AdmissionBench $(BENCH_ARGS)

# Each fuzz test runs alone (Jazzer fuzzes one test per JVM) for FuzzTest's maxExecutions (100,000 inputs) or its
# maxDuration, whichever comes first; coverage is gathered over all of Sluice's classes, shared-model's validator
# included. New interesting inputs go to admission/.cifuzz-corpus (not committed), a crash's input into the test's
# Inputs directory under src/test/resources, where plain `mvn test` replays it.
ADMISSION_FUZZ_TESTS ?= AdmissionReviewFuzzTest\#mutate AdmissionReviewFuzzTest\#validate CanaryValidatorFuzzTest\#verdict

fuzz-admission: ## fuzz the AdmissionReview endpoint with both handlers and the Canary validator (Jazzer), 100,000 inputs each
	@for t in $(ADMISSION_FUZZ_TESTS); do \
	  log=admission/target/fuzz-$$(echo "$$t" | tr '#' '-').log; \
	  echo "fuzzing $$t (whole output in $$log)"; \
	  JAZZER_FUZZ=1 $(MVN) test -pl admission -am -Dtest="$$t" -Dsurefire.failIfNoSpecifiedTests=false \
	    -Djazzer.instrumentation_includes='io.sluice.**' > "$$log" 2>&1; rc=$$?; \
	  grep -E '^(#[0-9]+[[:space:]]+DONE|Done [0-9]+ runs|== Java Exception|\[(INFO|ERROR)\] Tests run:.*Fuzz|\[ERROR\] +[A-Za-z])' "$$log"; \
	  [ $$rc -eq 0 ] || exit $$rc; \
	done
