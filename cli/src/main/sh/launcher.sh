#!/bin/sh
# kubectl-sluice: the kubectl plugin for Sluice. This script is followed by the plugin's jar in the same file;
# put the file on the PATH and run `kubectl sluice --help`. Needs Java 17 or later (JAVA_HOME, else java on PATH).
# KUBECTL_SLUICE_JAVA_OPTS replaces the JVM options below.
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" ${KUBECTL_SLUICE_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1} -jar "$0" "$@"
