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
