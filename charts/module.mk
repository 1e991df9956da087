# Helm chart targets, included by the root Makefile.

.PHONY: chart-crds test-chart

chart-crds: ## copy manifests/crds into the Helm chart (charts/sluice/crds); run it after `make crds`
	rm -f charts/sluice/crds/*.yaml
	cp manifests/crds/*.yaml charts/sluice/crds/
	@echo "chart-crds: charts/sluice/crds now equals manifests/crds"

test-chart: ## lint and render the Helm chart and compare it with manifests/ (helm-java; no helm binary needed)
	$(MVN) verify -pl charts
