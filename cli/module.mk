# The kubectl plugin, included by the root Makefile.

.PHONY: plugin

plugin: ## build the kubectl plugin: cli/target/kubectl-sluice (put it on PATH, run `kubectl sluice --help`)
	$(MVN) -q package -pl cli -am -DskipTests
	@echo "plugin: cli/target/kubectl-sluice (needs Java 17+); try: cli/target/kubectl-sluice --help"
