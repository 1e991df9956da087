# The kubectl plugin, included by the root Makefile.

.PHONY: plugin

plugin: ## build the kubectl plugin: cli/target/kubectl-sluice (put it on PATH, run `kubectl sluice --help`)
	$(MVN) -q package -pl cli -am -DskipTests
	@echo "plugin: cli/target/kubectl-sluice (needs Java 17+); try: cli/target/kubectl-sluice --help"

# The Argo CD resource customizations (charts/sluice/files/argocd): the plain argocd-cm patch is built from the Lua
# files next to it; ArgoCdCustomizationsTest (charts) fails when it is stale.
ARGOCD_DIR = charts/sluice/files/argocd
ARGOCD_ACTIONS = promote abort retry pause resume

.PHONY: argocd-patch

argocd-patch: ## rewrite charts/sluice/files/argocd/argocd-cm-patch.yaml from the Lua files next to it
	@{ sed -n '1,/^data:/p' $(ARGOCD_DIR)/argocd-cm-patch.yaml; \
	  echo '  resource.customizations.health.flagger.app_Canary: |'; sed 's/^./    &/' $(ARGOCD_DIR)/health.lua; \
	  echo '  resource.customizations.actions.flagger.app_Canary: |'; \
	  echo '    discovery.lua: |'; sed 's/^./      &/' $(ARGOCD_DIR)/discovery.lua; \
	  echo '    definitions:'; \
	  for a in $(ARGOCD_ACTIONS); do echo "    - name: $$a"; echo '      action.lua: |'; sed -e 's/"ACTION"/"'$$a'"/' -e 's/^./        &/' $(ARGOCD_DIR)/request.lua; done; \
	} > $(ARGOCD_DIR)/argocd-cm-patch.yaml.tmp && mv $(ARGOCD_DIR)/argocd-cm-patch.yaml.tmp $(ARGOCD_DIR)/argocd-cm-patch.yaml
	@echo "argocd-patch: wrote $(ARGOCD_DIR)/argocd-cm-patch.yaml"
