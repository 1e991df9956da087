# Sluice — build, test and local tooling. `make help` lists the targets.
MVN ?= mvn -B -ntp
# The project version (the parent POM's first <version>), which names the modules' jars.
VERSION := $(shell grep -m1 -o '<version>[^<]*' pom.xml | cut -d'>' -f2)
# The CRDs come out of shared-model's build: crd-generator-maven-plugin writes them from the model's annotations
# (process-classes), PrinterColumnOrder puts the printer columns in their declared order (process-test-classes).
# Flagger's kinds are Sluice's API (manifests/crds); the Gloo Mesh ones stand in for Gloo's own CRDs in tests and
# the sandbox (manifests/test-crds). Nothing is installed into ~/.m2, so this works from a clean clone.
CRD_OUT = shared-model/target/crds
CRD_BUILD = rm -rf $(CRD_OUT) && $(MVN) -q -pl shared-model process-test-classes
CRD_DIR_OF = crd_dir() { case "$$1" in *.flagger.app) echo manifests/crds;; *) echo manifests/test-crds;; esac; };
# command:package pairs the tests need from Debian; modules append theirs in module.mk.
TEST_PACKAGES = prometheus:prometheus

.PHONY: help build test test-unit test-packages format crds verify-crds certs bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## compile and package every module, without tests
	$(MVN) install -DskipTests

test: test-packages ## run every test of every module: unit tests, then the *IT integration tests (CI runs this)
	$(MVN) install

test-unit: ## run only the fast tests (unit and mock API server), no sandbox or real Prometheus
	$(MVN) test

format: ## rewrite every module's Java sources in the project's one style (the build checks it)
	$(MVN) -q spotless:apply

test-packages: ## install the Debian packages the tests need, when missing (as root)
	@scripts/ensure-packages.sh $(TEST_PACKAGES)

crds: ## regenerate manifests/crds (and manifests/test-crds) from the model classes
	@$(CRD_BUILD)
	@$(CRD_DIR_OF) for f in $(CRD_OUT)/*-v1.yml; do n=$$(basename $$f -v1.yml); d=$$(crd_dir $$n); \
	  cp $$f $$d/$$n.yaml && echo "crds: wrote $$d/$$n.yaml"; done

verify-crds: ## fail when manifests/crds or manifests/test-crds is stale against the model
	@$(CRD_BUILD)
	@$(CRD_DIR_OF) stale=; \
	for f in $(CRD_OUT)/*-v1.yml; do n=$$(basename $$f -v1.yml); m=$$(crd_dir $$n)/$$n.yaml; \
	  if [ ! -f $$m ]; then stale="$$stale $$m(missing)"; \
	  elif ! cmp -s $$f $$m; then diff -u $$m $$f | head -40; stale="$$stale $$m"; fi; done; \
	for m in manifests/crds/*.yaml manifests/test-crds/*.yaml; do \
	  [ -f $(CRD_OUT)/$$(basename $$m .yaml)-v1.yml ] || stale="$$stale $$m(no model class generates it)"; done; \
	if [ -n "$$stale" ]; then \
	  echo "verify-crds: stale against the model classes:$$stale"; \
	  echo "verify-crds: run 'make crds' and commit the result"; exit 1; fi; \
	echo "verify-crds: manifests/crds and manifests/test-crds match the model classes"

certs: ## write a local CA and serving certificate into certs-local/
	$(MVN) install -pl certs -am -DskipTests -q
	$(MVN) -q exec:java -pl certs -Dexec.mainClass=io.sluice.certs.LocalCerts \
	  -Dexec.args="--out $(CURDIR)/certs-local --service sluice-admission --namespace sluice-system --dns localhost --ip 127.0.0.1"

bench: bench-admission bench-detection ## run every benchmark (not part of make test)

clean: ## remove build output
	$(MVN) -q clean

# Each module adds its own targets (run, bench, demo, …) in <module>/module.mk.
include $(wildcard */module.mk)

fuzz: fuzz-admission fuzz-analyzer ## coverage-guided fuzzing (Jazzer) of every fuzz test, 100,000 inputs each; mvn test replays the kept inputs
