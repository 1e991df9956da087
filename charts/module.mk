# Helm chart targets, included by the root Makefile.

.PHONY: chart-crds test-chart

chart-crds: ## copy manifests/crds into the Helm chart (charts/sluice/crds); run it after `make crds`
	rm -f charts/sluice/crds/*.yaml
	cp manifests/crds/*.yaml charts/sluice/crds/
	@echo "chart-crds: charts/sluice/crds now equals manifests/crds"

test-chart: ## lint and render the Helm chart and compare it with manifests/ (helm-java; no helm binary needed)
	$(MVN) verify -pl charts

# Images: Jib writes each service's image as a tarball (admission/target/jib-image.tar, analyzer/target/jib-image.tar),
# tagged $(IMAGE_REGISTRY)/<service>:$(VERSION), with no Docker daemon. IMAGE_BASE is the JRE 17 base image; left
# empty, a base is built from the local JDK (charts/images/local-base.sh), since this machine reaches no registry.
IMAGE_REGISTRY ?= ghcr.io/sluice
IMAGE_BASE ?=
LOCAL_BASE = charts/target/images/jre17-local-base.tar

.PHONY: images image-base

image-base: ## build the local JRE 17 base image tarball from the JDK on this machine (used when IMAGE_BASE is empty)
	charts/images/local-base.sh $(LOCAL_BASE)

images: $(if $(IMAGE_BASE),,image-base) ## build both services' images as tarballs with Jib (no Docker daemon), then test them (ImageIT)
	$(MVN) -q package -pl admission,analyzer -am -DskipTests com.google.cloud.tools:jib-maven-plugin:buildTar \
	  -Dimage.base=$(if $(IMAGE_BASE),$(IMAGE_BASE),tar://$(CURDIR)/$(LOCAL_BASE)) -Dimage.registry=$(IMAGE_REGISTRY) \
	  -Dimage.revision=$$(git rev-parse --short HEAD 2>/dev/null || echo unknown) -Djib.disableUpdateChecks=true -Dmaven.jar.forceCreation=true
	$(MVN) verify -pl charts -Dsluice.images=required -Dsluice.image.registry=$(IMAGE_REGISTRY) \
	  -Dtest=NoUnitTests -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ImageIT

# KustomizeIT renders manifests/ with kubectl kustomize.
TEST_PACKAGES += kubectl:kubernetes-client
