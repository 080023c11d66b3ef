#!/usr/bin/env bash
# Builds the Debian package with Debian's own tools (dpkg-deb, dpkg-shlibdeps; no debhelper):
#   .build-pkg/deb/authkit-fcgi_<version>_<arch>.deb
# The binary is a release build with the Swift runtime linked statically, so the package needs
# no Swift toolchain; its Depends come from dpkg-shlibdeps on the binary.
# Environment: BUILD_DIR (SwiftPM scratch path and output folder, default .build-pkg),
# DEB_MAINTAINER ("Name <email>", default the git author).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-packages.sh dpkg-dev binutils gzip pkg-config libfcgi-dev libssl-dev libcurl4-openssl-dev libhiredis-dev
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"

build_dir=${BUILD_DIR:-.build-pkg}
version=$(sed -n 's/.*static let string = "\([^"]*\)".*/\1/p' Sources/AuthKitCore/Version.swift)
arch=$(dpkg --print-architecture)
if [ -z "$version" ]; then
  echo "build-deb: no version found in Sources/AuthKitCore/Version.swift" >&2
  exit 1
fi
maintainer=${DEB_MAINTAINER:-"$(git config user.name 2>/dev/null || echo authkit-fcgi maintainers) <$(git config user.email 2>/dev/null || echo root@localhost)>"}
# Reproducible timestamps: the last commit's time.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

echo "== build-deb: release build of authkit-fcgi $version (static Swift runtime)"
started=$(date +%s)
# --disable-local-rpath: no RUNPATH $ORIGIN (Debian forbids custom library search paths);
# -z now: full RELRO, as Debian's hardening flags.
swift_flags=(-c release --product authkit-fcgi --scratch-path "$build_dir" --static-swift-stdlib
             --disable-local-rpath -Xlinker -z -Xlinker now)
mkdir -p "$build_dir"
log="$build_dir/build-deb.log"
if ! swift build "${swift_flags[@]}" > "$log" 2>&1; then
  grep -E 'error:' "$log" | head -40 >&2 || tail -40 "$log" >&2
  echo "build-deb: swift build failed (log: $log)" >&2
  exit 1
fi
binary="$(swift build "${swift_flags[@]}" --show-bin-path)/authkit-fcgi"
echo "build-deb: built in $(( $(date +%s) - started )) s"

# Nothing from the toolchain may be needed at run time.
libraries=$(ldd "$binary")
if grep -q -e /opt/swift -e 'not found' <<<"$libraries"; then
  echo "$libraries" >&2
  echo "build-deb: the binary needs libraries outside Debian's packages (see above)" >&2
  exit 1
fi

out_dir="$build_dir/deb"
name="authkit-fcgi_${version}_${arch}"
root="$out_dir/$name"
rm -rf "$root"
mkdir -p "$root/DEBIAN"

# The program, stripped as dh_strip does.
install -d "$root/usr/bin"
strip --remove-section=.comment --remove-section=.note -o "$root/usr/bin/authkit-fcgi" "$binary"
chmod 0755 "$root/usr/bin/authkit-fcgi"

# systemd units.
install -D -m 0644 packaging/authkit-fcgi.socket "$root/lib/systemd/system/authkit-fcgi.socket"
install -D -m 0644 packaging/authkit-fcgi.service "$root/lib/systemd/system/authkit-fcgi.service"

# The settings template: a conffile, secrets inside once filled in.
install -D -m 0640 packaging/authkit.env "$root/etc/authkit-fcgi/authkit.env"
echo /etc/authkit-fcgi/authkit.env > "$root/DEBIAN/conffiles"

# nginx and Apache snippets, example sites beside them (they include the snippets by name)
# and the example sites' pages.
for server in nginx apache; do
  install -d "$root/usr/share/authkit-fcgi/$server"
  install -m 0644 "$server"/*.conf "$root/usr/share/authkit-fcgi/$server/"
  cp -r "$server/example-root" "$root/usr/share/authkit-fcgi/$server/example-root"
done
find "$root/usr/share/authkit-fcgi" -type d -exec chmod 0755 {} +
find "$root/usr/share/authkit-fcgi" -type f ! -path '*/cgi-bin/*' -exec chmod 0644 {} +
find "$root/usr/share/authkit-fcgi" -type f -path '*/cgi-bin/*' -exec chmod 0755 {} +

# The man page and the documentation Debian asks for.
install -d "$root/usr/share/man/man8" "$root/usr/share/doc/authkit-fcgi"
# The page names the version it documents.
sed "s/\"authkit-fcgi [0-9][^\"]*\"/\"authkit-fcgi $version\"/" packaging/authkit-fcgi.8 \
  | gzip -9n > "$root/usr/share/man/man8/authkit-fcgi.8.gz"
install -m 0644 packaging/copyright "$root/usr/share/doc/authkit-fcgi/copyright"
install -D -m 0644 packaging/lintian-overrides "$root/usr/share/lintian/overrides/authkit-fcgi"
date_rfc2822=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
sed -e "s|@VERSION@|$version|" -e "s|@MAINTAINER@|$maintainer|" -e "s|@DATE@|$date_rfc2822|" packaging/changelog \
  | gzip -9n > "$root/usr/share/doc/authkit-fcgi/changelog.gz"
chmod 0644 "$root/usr/share/man/man8/authkit-fcgi.8.gz" "$root/usr/share/doc/authkit-fcgi/changelog.gz"

# Maintainer scripts: daemon-reload, stop on removal, clean up on purge; nothing is started.
for script in postinst prerm postrm; do
  install -m 0755 "packaging/$script" "$root/DEBIAN/$script"
done

# Depends: what the binary links, as dpkg-shlibdeps sees it (it needs a debian/control).
shlibs_dir=$(mktemp -d)
trap 'rm -rf "$shlibs_dir"' EXIT
mkdir -p "$shlibs_dir/debian"
printf 'Source: authkit-fcgi\n\nPackage: authkit-fcgi\nArchitecture: any\n' > "$shlibs_dir/debian/control"
staged_binary="$(cd "$root/usr/bin" && pwd)/authkit-fcgi"
depends=$(cd "$shlibs_dir" && dpkg-shlibdeps -O -e"$staged_binary" 2>"$shlibs_dir/warnings" | sed -n 's/^shlibs:Depends=//p')
if [ -z "$depends" ]; then
  cat "$shlibs_dir/warnings" >&2
  echo "build-deb: dpkg-shlibdeps found no dependencies" >&2
  exit 1
fi

# md5sums of everything outside DEBIAN, then the control file.
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
installed_size=$(du -k -s --apparent-size --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
    -e "s|@INSTALLED_SIZE@|$installed_size|" -e "s|@DEPENDS@|$depends|" packaging/control.in > "$root/DEBIAN/control"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

find "$root" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +
deb="$out_dir/$name.deb"
dpkg-deb --build --root-owner-group "$root" "$deb" >/dev/null
echo "build-deb: Depends: $depends"
echo "build-deb: $(du -h "$deb" | cut -f1) $deb"
echo "$deb"
