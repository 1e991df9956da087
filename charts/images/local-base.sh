#!/usr/bin/env bash
# Builds a JRE 17 base image as a `docker save` tarball from the local JDK, for `make images` on a machine that
# reaches no container registry: a jlink'd runtime of every module in /opt/java/openjdk, the shared libraries it
# links against (copied from this machine), and a nonroot user 65532. Jib reads it with `tar://`.
# Usage: local-base.sh OUT.tar [JAVA_HOME]
set -euo pipefail

out=${1:?usage: local-base.sh OUT.tar [JAVA_HOME]}
jdk=${2:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}}
[ -d "$jdk/jmods" ] || { echo "local-base.sh: $jdk has no jmods/: jlink needs a full JDK" >&2; exit 1; }
"$jdk/bin/java" -version 2>&1 | grep -q '"17' || { echo "local-base.sh: $jdk is not a JDK 17" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root/opt/java" "$root/etc" "$root/tmp" "$root/proc" "$root/home/nonroot"
chmod 1777 "$root/tmp"

"$jdk/bin/jlink" --module-path "$jdk/jmods" --add-modules ALL-MODULE-PATH --strip-debug --no-header-files \
  --no-man-pages --output "$root/opt/java/openjdk"

# The C libraries the runtime loads (glibc, zlib, …), at the paths the dynamic linker looks in.
find "$root/opt/java/openjdk" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 ldd 2>/dev/null | grep -o '/[^ ]*' | sort -u | while read -r lib; do
      case "$lib" in "$root"/*) continue ;; esac
      [ -e "$lib" ] || continue
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
# Name resolution and time zones, which the JVM reads from the file system.
for f in /etc/nsswitch.conf /etc/ssl/certs/ca-certificates.crt; do
  [ -e "$f" ] && mkdir -p "$root$(dirname "$f")" && cp -L "$f" "$root$f"
done
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
chown -R 65532:65532 "$root/home/nonroot" 2>/dev/null || true

# One layer, reproducible: sorted, owned by root, fixed time.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00:00Z' -C "$root" -cf "$work/layer.tar" .
diff_id=sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
java_version=$("$root/opt/java/openjdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.runtime.version = //p')
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"2000-01-01T00:00:00Z",
 "config":{"Env":["PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
   "JAVA_HOME=/opt/java/openjdk","LANG=C.UTF-8"],
   "Labels":{"org.opencontainers.image.description":"JRE ${java_version} from the local JDK (local-base.sh)"}},
 "rootfs":{"type":"layers","diff_ids":["${diff_id}"]},
 "history":[{"created":"2000-01-01T00:00:00Z","created_by":"local-base.sh: jlink of ${jdk}"}]}
JSON
echo '[{"Config":"config.json","RepoTags":["sluice-local-jre:17"],"Layers":["layer.tar"]}]' > "$work/manifest.json"
mkdir -p "$(dirname "$out")"
tar -C "$work" -cf "$out" manifest.json config.json layer.tar
echo "local-base.sh: wrote $out (JRE $java_version, $(du -h "$out" | cut -f1))"
