# Sluice — build, test and local tooling. `make help` lists the targets.
MVN ?= mvn -B -ntp
CRD_TEST = -pl shared-model -Dtest=CrdsAreCurrentTest -Dsurefire.failIfNoSpecifiedTests=false
# command:package pairs the tests need from Debian; modules append theirs in module.mk.
TEST_PACKAGES = prometheus:prometheus

.PHONY: help build test test-unit test-packages crds verify-crds certs bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## compile and package every module, without tests
	$(MVN) install -DskipTests

test: test-packages ## run every test of every module: unit tests, then the *IT integration tests (CI runs this)
	$(MVN) install

test-unit: ## run only the fast tests (unit and mock API server), no sandbox or real Prometheus
	$(MVN) test

test-packages: ## install the Debian packages the tests need, when missing (as root)
	@scripts/ensure-packages.sh $(TEST_PACKAGES)

crds: ## regenerate manifests/crds from the model classes
	$(MVN) install -pl shared-model -am -DskipTests -q
	$(MVN) test $(CRD_TEST) -Dsluice.crds.write=true

verify-crds: ## fail when manifests/crds is stale against the model
	$(MVN) install -pl shared-model -am -DskipTests -q
	$(MVN) test $(CRD_TEST)

certs: ## write a local CA and serving certificate into certs-local/
	$(MVN) install -pl certs -am -DskipTests -q
	$(MVN) -q exec:java -pl certs -Dexec.mainClass=io.sluice.certs.LocalCerts \
	  -Dexec.args="--out $(CURDIR)/certs-local --service sluice-admission --namespace sluice-system --dns localhost --ip 127.0.0.1"

bench: bench-admission bench-detection ## run every benchmark (not part of make test)

clean: ## remove build output
	$(MVN) -q clean

# Each module adds its own targets (run, bench, demo, …) in <module>/module.mk.
include $(wildcard */module.mk)
