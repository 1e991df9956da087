# Admission service targets, included by the root Makefile.
ADMISSION_CP = admission/target/classpath.txt
ADMISSION_JAVA_OPTS ?= -Xms64m -Xmx128m -XX:+UseSerialGC

.PHONY: test-admission build-admission run-admission bench-admission admission-help

test-admission: ## run the admission module's tests (with the modules it depends on)
	$(MVN) verify -pl admission -am

build-admission: ## compile the admission module and write its runtime class path
	$(MVN) -q verify -pl admission -am -DskipTests dependency:build-classpath \
	  -Dmdep.outputFile=target/classpath.txt -DincludeScope=test

admission-help: build-admission ## print the admission service's flags
	java -cp admission/target/classes:$$(cat $(ADMISSION_CP)) io.sluice.admission.Main --help

run-admission: build-admission ## run the admission service locally against the current kubeconfig (ARGS=... for flags)
	java $(ADMISSION_JAVA_OPTS) -cp admission/target/classes:$$(cat $(ADMISSION_CP)) io.sluice.admission.Main $(ARGS)

bench-admission: build-admission ## load the mutating webhook over HTTPS at 1/50/200 connections vs a bare endpoint (BENCH_ARGS="secs warmup conns...")
	java $(ADMISSION_JAVA_OPTS) -cp admission/target/test-classes:admission/target/classes:$$(cat $(ADMISSION_CP)) \
	  io.sluice.admission.AdmissionBench $(BENCH_ARGS)
