# The sandbox: the seed end to end on one machine (see sandbox/README.md).
TEST_PACKAGES += hey:hey curl:curl kubectl:kubernetes-client
SANDBOX_MODULES = sandbox,admission,analyzer
# enforce (the default): Sluice's services run with only the RBAC of manifests/ (README, "RBAC"), so a missing
# permission fails the demo; exempt lets them do anything, to tell an RBAC denial from another failure.
SANDBOX_RBAC ?= enforce
SANDBOX_JAVA = java -Dsandbox.rbac.sluice=$(SANDBOX_RBAC) -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp "sandbox/target/classes:$$(cat sandbox/target/runtime-classpath.txt)" io.sluice.sandbox.Main

.PHONY: demo sandbox bench-detection sandbox-build

# Sluice's services run as packaged: the analyzer's jar with its target/lib, the admission jar with its runtime
# class path (no test-scoped libraries), written next to each module's jar.
sandbox-build: ## package the sandbox and Sluice's two services, with their runtime class paths
	$(MVN) -q -pl $(SANDBOX_MODULES) -am package -DskipTests dependency:build-classpath \
	  -Dmdep.outputFile=target/runtime-classpath.txt -DincludeScope=runtime

demo: test-packages sandbox-build ## play the seed in the sandbox: 6.0.1 promoted, 6.0.2 rolled back
	@$(SANDBOX_JAVA) demo --repo $(CURDIR)

sandbox: test-packages sandbox-build ## start the sandbox with Sluice and the seed's objects, explore with kubectl
	@$(SANDBOX_JAVA) up --repo $(CURDIR)

bench-detection: test-packages sandbox-build ## 50 revisions: time to 'New revision detected!' (p50/p99)
	@$(SANDBOX_JAVA) bench-detection --repo $(CURDIR)
