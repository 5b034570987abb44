#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make deb`: a binary Debian package of vmxlab, built with dpkg-deb from a
# staged root (Documentation/install.rst, "The package"): the tool, its man
# page and bash completion, the udev rule, and the module's sources in
# /usr/src/vmxlab-VERSION for DKMS (which builds the module for each kernel
# with headers). Its maintainer scripts create the group vmxlab and hand
# the sources to DKMS.
#
# usage: userspace/mkdeb.sh OUTDIR   (run from the top of the tree, after
#        `make tool`; writes OUTDIR/vmxlab_VERSION_amd64.deb)
set -euo pipefail
out=${1:?usage: mkdeb.sh OUTDIR}
ver=$(cat VERSION)
deb=$out/vmxlab_${ver}_amd64.deb
stage=$out/deb-root
rm -rf "$stage"
mkdir -p "$stage/DEBIAN"

make -s tool
# The files make install puts in place, but for the module (DKMS's job).
install -D -m 0755 userspace/vmxlab "$stage/usr/bin/vmxlab"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/vmxlab"
install -D -m 0644 Documentation/vmxlab.1 "$stage/usr/share/man/man1/vmxlab.1"
gzip -9n "$stage/usr/share/man/man1/vmxlab.1"
install -D -m 0644 userspace/vmxlab.bash-completion \
	"$stage/usr/share/bash-completion/completions/vmxlab"
install -D -m 0644 module/60-vmxlab.rules "$stage/lib/udev/rules.d/60-vmxlab.rules"
# The sources DKMS builds from.
src=$stage/usr/src/vmxlab-$ver
mkdir -p "$src"
cp -r --parents Kbuild VERSION dkms.conf module arch uapi tests/kunit "$src/"
find "$src" -type f -exec chmod 0644 {} +
find "$src" -type d -exec chmod 0755 {} +
# Documentation Debian requires: copyright and a changelog.
doc=$stage/usr/share/doc/vmxlab
mkdir -p "$doc"
cat >"$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: vmxlab

Files: *
Copyright: 2025-2026 The vmxlab authors
License: GPL-2
 On Debian systems, the full text of the GNU General Public License
 version 2 can be found in the file /usr/share/common-licenses/GPL-2.
EOF
cat >"$doc/changelog" <<EOF
vmxlab ($ver) unstable; urgency=medium

  * Built from the vmxlab tree with make deb.

 -- vmxlab developers <vmxlab@users.noreply.github.com>  $(date -R -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")
EOF
gzip -9n "$doc/changelog"

size=$(du -k -s "$stage" --exclude=DEBIAN | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: vmxlab
Version: $ver
Architecture: amd64
Maintainer: vmxlab developers <vmxlab@users.noreply.github.com>
Installed-Size: $size
Depends: dkms, libc6, passwd
Section: kernel
Priority: optional
Description: small Intel VMX hypervisor for learning and measuring
 vmxlab is a Linux kernel module that runs guests under Intel VMX with EPT,
 and a tool that loads and runs them and reports their VM exits. The
 module is built by DKMS for every installed kernel with headers; members
 of the group vmxlab may use /dev/vmxlab.
EOF
# The maintainer scripts honour DPKG_ROOT (an install into another root with
# dpkg --root and --force-script-chrootless, as make check does): the group
# goes into that root's /etc/group; DKMS, which builds for this machine's
# kernels, is left to that system.
cat >"$stage/DEBIAN/postinst" <<EOF
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
	# --force: nothing to do if the group exists.
	groupadd --system --force \${DPKG_ROOT:+--prefix "\$DPKG_ROOT"} vmxlab
	if [ -n "\$DPKG_ROOT" ]; then
		echo "vmxlab: installed into \$DPKG_ROOT: run dkms install vmxlab/$ver there" >&2
		exit 0
	fi
	dkms add -m vmxlab -v $ver >/dev/null 2>&1 || true
	# Every installed kernel that has headers; later kernels get it from
	# DKMS's own hook when they are installed.
	built=
	for build in /lib/modules/*/build; do
		[ -e "\$build/Makefile" ] || continue
		kver=\$(basename "\$(dirname "\$build")")
		if dkms install -m vmxlab -v $ver -k "\$kver"; then
			built="\$built \$kver"
		fi
	done
	if [ -z "\$built" ]; then
		echo "vmxlab: no kernel with headers: install linux-headers-\$(uname -r), then: dkms install vmxlab/$ver" >&2
	fi
	if command -v udevadm >/dev/null; then
		udevadm trigger --subsystem-match=misc --sysname-match=vmxlab || true
	fi
fi
EOF
cat >"$stage/DEBIAN/prerm" <<EOF
#!/bin/sh
set -e
[ -z "\$DPKG_ROOT" ] || exit 0
if [ "\$1" = remove ] || [ "\$1" = upgrade ] || [ "\$1" = deconfigure ]; then
	dkms remove -m vmxlab -v $ver --all >/dev/null 2>&1 || true
fi
EOF
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm"
(cd "$stage" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z |
	xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"
dpkg-deb --root-owner-group --build "$stage" "$deb" >/dev/null
echo "$deb"
