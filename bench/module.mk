# The scale benchmark (bench/README.md): one analyzer (or BENCH_SCALE_ARGS="--analyzer-replicas N" sharded ones) and one admission service, as packaged, against an API server and Prometheus stand-in.
# Not part of make test. SIZES and DURATION make a short run possible: make bench-scale SIZES=1000 DURATION=3m
SIZES ?= 1000,5000,10000
DURATION ?= 10m
BENCH_SCALE_ARGS ?=
# The stand-ins' process holds every object of the cluster; G1 keeps its pauses short: under the parallel collector its
# full collections stopped every answer for up to 2 s, which the analyzer's lateness then showed (docs/benchmarks.md).
BENCH_JAVA = java -Xmx6g -XX:+UseG1GC -XX:MaxGCPauseMillis=100 -cp "bench/target/classes:$$(cat bench/target/runtime-classpath.txt)"

.PHONY: bench-scale bench-build

bench-build: ## package the analyzer, the admission service and the benchmark harness, with the harness's runtime class path
	$(MVN) -q -pl analyzer,admission,bench -am package -DskipTests dependency:build-classpath \
	  -Dmdep.outputFile=target/runtime-classpath.txt -DincludeScope=runtime

bench-scale: bench-build ## Canaries at scale on one analyzer and the admission service: heap, RSS, tick lateness, API and metric load, CPU, review latency (SIZES=, DURATION=)
	@$(BENCH_JAVA) io.sluice.bench.ScaleBench --repo $(CURDIR) --sizes $(SIZES) --duration $(DURATION) $(BENCH_SCALE_ARGS)
