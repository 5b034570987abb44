#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installation as Documentation/install.rst describes it, checked on the
# host against the stock kernel's headers (nothing is loaded):
#  - one version: VERSION, modinfo, `vmxlab version`, the man page and
#    dkms.conf agree, and modinfo describes every module parameter;
#  - `make install DESTDIR=... PREFIX=/usr` puts exactly the documented
#    files in place (and depmod finds the module), `make uninstall` takes
#    them all away again;
#  - the bash completion offers every option `vmxlab run --help` lists;
#  - `make` leaves no untracked file in the tree, and after `make clean`
#    no file is there that was not before (git status --ignored);
#  - `make deb`'s package holds the tool, man page, completion, udev rule
#    and the sources for DKMS, its scripts make the group, lintian finds no
#    error; DKMS builds the module from the package's sources (private DKMS
#    trees: the machine's own are not touched);
#  - dpkg installs the package into a scratch root (WORKDIR/pkgroot, kept
#    for the rig image) and removes it again.
#
# usage: tests/check-install.sh WORKDIR KDIR
# Works on a copy of the tree in WORKDIR/tree (the files git tracks or
# would track, committed there as they are): kbuild's `make clean` of an
# external module deletes every *.ko and *.o below it, and the real tree
# holds results/ with the lanes' modules. The module DKMS built stays in
# WORKDIR/dkms/tree/vmxlab/VERSION/RELEASE/x86_64/module/vmxlab.ko.
# ok() cannot fail, so "check && ok || bad" is an if-then-else here.
# shellcheck disable=SC2015
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${1:?usage: check-install.sh WORKDIR KDIR}
kdir=${2:?usage: check-install.sh WORKDIR KDIR}
rm -rf "$work"
mkdir -p "$work/tree"
work=$(cd "$work" && pwd)
git -C "$root" ls-files -z --cached --others --exclude-standard |
	(cd "$root" && cpio -0pdm --quiet "$work/tree")
cd "$work/tree"
git init -q && git add -A &&
	git -c user.name=check -c user.email=check@localhost commit -q -m tree
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

ver=$(cat VERSION)
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
echo "version $ver, kernel $kver"
# The copy as it is now: make and make clean must leave it so.
tree_state() { git status --porcelain --ignored; }
before=$(tree_state)

make -s KDIR="$kdir" >"$work/make.log" 2>&1 || { cat "$work/make.log"; bad "make"; }
untracked=$(git status --porcelain | grep '^??' || true)
if [ "$untracked" = "$(echo "$before" | grep '^??' || true)" ]; then
	ok "make leaves no untracked file"
else
	bad "make left untracked files:"$'\n'"$untracked"
fi

# One version everywhere.
[ "$(modinfo -F version vmxlab.ko)" = "$ver" ] && ok "modinfo version $ver" ||
	bad "modinfo version is '$(modinfo -F version vmxlab.ko)', VERSION says $ver"
tool=$(userspace/vmxlab version 2>/dev/null | head -n 1 || true)
[ "$tool" = "vmxlab tool $ver, ABI version 1" ] && ok "vmxlab version: $tool" ||
	bad "vmxlab version says '$tool'"
grep -q "^\.TH VMXLAB 1 .* \"vmxlab $ver\"" Documentation/vmxlab.1 && ok "man page says vmxlab $ver" ||
	bad "Documentation/vmxlab.1's .TH does not say vmxlab $ver"
grep -qx "PACKAGE_VERSION=\"$ver\"" dkms.conf && ok "dkms.conf version $ver" ||
	bad "dkms.conf's PACKAGE_VERSION is not $ver"
nparams=$(grep -Ec '^module_param(_cb)?\(' module/*.c arch/x86/*.c | awk -F: '{ n += $2 } END { print n }')
described=$(modinfo -F parm vmxlab.ko | grep -Ec '^[a-z0-9_]+:[^ (]' || true)
[ "$nparams" -gt 0 ] && [ "$described" = "$nparams" ] &&
	ok "modinfo describes all $nparams module parameters" ||
	bad "$nparams module parameters, $described described in modinfo"

# make install / uninstall.
stage=$work/stage
expected="lib/modules/$kver/updates/vmxlab.ko
lib/udev/rules.d/60-vmxlab.rules
usr/bin/vmxlab
usr/share/bash-completion/completions/vmxlab
usr/share/man/man1/vmxlab.1"
if make -s install KDIR="$kdir" DESTDIR="$stage" PREFIX=/usr >"$work/install.log" 2>&1; then
	got=$(cd "$stage" && find . -type f ! -name 'modules.*' | sed 's|^\./||' | sort)
	[ "$got" = "$expected" ] && ok "make install: the 5 files" ||
		bad "make install put:"$'\n'"$got"$'\n'"expected:"$'\n'"$expected"
	grep -q "^updates/vmxlab.ko:" "$stage/lib/modules/$kver/modules.dep" &&
		ok "depmod lists updates/vmxlab.ko" || bad "modules.dep has no vmxlab.ko"
	grep -q 'GROUP="vmxlab", MODE="0660"' "$stage/lib/udev/rules.d/60-vmxlab.rules" &&
		ok "udev rule: group vmxlab, 0660" || bad "udev rule without group vmxlab and mode 0660"
else
	cat "$work/install.log"
	bad "make install"
fi
if make -s uninstall KDIR="$kdir" DESTDIR="$stage" PREFIX=/usr >"$work/uninstall.log" 2>&1; then
	left=$(cd "$stage" && find . -type f ! -name 'modules.*' | sed 's|^\./||')
	[ -z "$left" ] && ! grep -q vmxlab "$stage/lib/modules/$kver/modules.dep" &&
		ok "make uninstall: nothing left, depmod forgot it" ||
		bad "make uninstall left: $left"
else
	cat "$work/uninstall.log"
	bad "make uninstall"
fi

# The bash completion: every option of `vmxlab run --help`, and a sample.
comp=userspace/vmxlab.bash-completion
missing=
for o in $(userspace/vmxlab run --help 2>&1 | grep -oE '^  (-h, )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
	grep -q -- "$o" "$comp" || missing="$missing $o"
done
[ -z "$missing" ] && ok "completion has every option of run --help" ||
	bad "completion lacks:$missing"
sample=$(bash -c '. "$1"; COMP_WORDS=(vmxlab run --st); COMP_CWORD=2; _vmxlab; echo "${COMPREPLY[*]}"' _ "$comp")
[ "$sample" = "--strict --stats --stats-json" ] && ok "completion of 'vmxlab run --st': $sample" ||
	bad "completion of 'vmxlab run --st' gave '$sample'"

# The package: what it holds, its scripts, lintian.
debdir=$work/deb
mkdir -p "$debdir"
if deb=$(userspace/mkdeb.sh "$debdir" 2>"$work/deb.log" | tail -n 1) && [ -f "$deb" ]; then
	dpkg-deb -x "$deb" "$debdir/root"
	want="usr/bin/vmxlab usr/share/man/man1/vmxlab.1.gz
usr/share/bash-completion/completions/vmxlab lib/udev/rules.d/60-vmxlab.rules
usr/share/doc/vmxlab/copyright usr/src/vmxlab-$ver/dkms.conf
usr/src/vmxlab-$ver/Kbuild usr/src/vmxlab-$ver/VERSION usr/src/vmxlab-$ver/arch/x86/vmenter.S"
	missing=
	for f in $want; do [ -f "$debdir/root/$f" ] || missing="$missing $f"; done
	[ -z "$missing" ] && ok "deb: tool, man page, completion, udev rule, DKMS sources" ||
		bad "deb lacks:$missing"
	dpkg-deb -f "$deb" Depends | grep -qw dkms && ok "deb depends on dkms" ||
		bad "deb does not depend on dkms"
	dpkg-deb -e "$deb" "$debdir/control"
	grep -q "groupadd --system" "$debdir/control/postinst" &&
		grep -q "dkms remove -m vmxlab" "$debdir/control/prerm" &&
		ok "deb: postinst makes the group and adds to DKMS, prerm removes" ||
		bad "deb maintainer scripts"
	if command -v lintian >/dev/null; then
		lintian "$deb" >"$work/lintian.log" 2>&1 || true
		if grep -q "^E: " "$work/lintian.log"; then
			bad "lintian errors: $(grep '^E: ' "$work/lintian.log" | head -n 5)"
		else
			ok "lintian: no errors ($(grep -c '^W: ' "$work/lintian.log" || true) warnings)"
		fi
	else
		bad "no lintian (tests/rig/deps.sh installs it)"
	fi
else
	cat "$work/deb.log"
	bad "make deb (userspace/mkdeb.sh)"
fi

# The package installed with dpkg into a scratch root (its scripts run
# chrootless and honour DPKG_ROOT), then removed from a copy of that root.
# The installed root stays in WORKDIR/pkgroot: the stock rig image gets its
# tool, udev rule and /etc/group (lane test group_access).
pr=$work/pkgroot
if [ -n "${deb:-}" ] && [ -f "$deb" ]; then
	mkdir -p "$pr/var/lib/dpkg/info" "$pr/var/lib/dpkg/updates" "$pr/etc"
	touch "$pr/var/lib/dpkg/status"
	printf 'root:x:0:\n' >"$pr/etc/group"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$pr/etc/passwd"
	dpk() { dpkg --root="$1" --log=/dev/null --force-script-chrootless "${@:2}"; }
	if dpk "$pr" --force-depends -i "$deb" >"$work/dpkg.log" 2>&1; then
		st=$(dpkg-query --admindir="$pr/var/lib/dpkg" -W -f '${db:Status-Abbrev}${Version}' vmxlab)
		[ "$st" = "ii $ver" ] && ok "dpkg --root -i: vmxlab $ver installed" ||
			bad "dpkg --root -i: status '$st'"
		grep -Eq '^vmxlab:x:[0-9]+:$' "$pr/etc/group" && ok "postinst made group vmxlab in the root" ||
			bad "no group vmxlab in the root's /etc/group"
		[ -x "$pr/usr/bin/vmxlab" ] && [ -f "$pr/lib/udev/rules.d/60-vmxlab.rules" ] &&
			ok "dpkg --root -i: tool and udev rule in place" || bad "dpkg --root -i: files missing"
		cp -a "$pr" "$work/pkgroot-rm"
		if dpk "$work/pkgroot-rm" -r vmxlab >>"$work/dpkg.log" 2>&1; then
			left=$(cd "$work/pkgroot-rm" && find . -type f ! -path './var/lib/dpkg/*' ! -path './etc/*')
			[ -z "$left" ] && grep -q '^vmxlab:' "$work/pkgroot-rm/etc/group" &&
				ok "dpkg --root -r: every file gone, the group kept" ||
				bad "dpkg --root -r left: $left"
		else
			cat "$work/dpkg.log"
			bad "dpkg --root -r vmxlab"
		fi
	else
		cat "$work/dpkg.log"
		bad "dpkg --root -i"
	fi
else
	bad "no package to install"
fi

# DKMS, from the package's /usr/src/vmxlab-VERSION.
if command -v dkms >/dev/null && [ -f "$debdir/root/usr/src/vmxlab-$ver/dkms.conf" ]; then
	mkdir -p "$work/dkms/tree" "$work/dkms/install"
	mv "$debdir/root/usr/src" "$work/dkms/src"
	d() { dkms --dkmstree "$work/dkms/tree" --sourcetree "$work/dkms/src" \
		--installtree "$work/dkms/install" "$@"; }
	if d add -m vmxlab -v "$ver" >"$work/dkms.log" 2>&1 &&
		d build -m vmxlab -v "$ver" -k "$kver" --kernelsourcedir "$kdir" >>"$work/dkms.log" 2>&1; then
		ko=$work/dkms/tree/vmxlab/$ver/$kver/x86_64/module/vmxlab.ko
		if [ -f "$ko" ] && [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kver" ]; then
			ok "dkms build for $kver"
		else
			bad "dkms build made no vmxlab.ko for $kver"
		fi
	else
		cat "$work/dkms.log"
		bad "dkms add/build"
	fi
else
	bad "no dkms (tests/rig/deps.sh installs it), or no sources from the package"
fi

# make clean: nothing left that was not there before.
make -s clean KDIR="$kdir" >"$work/clean.log" 2>&1 || { cat "$work/clean.log"; bad "make clean"; }
after=$(tree_state)
new_files=$(comm -13 <(echo "$before" | sort) <(echo "$after" | sort))
[ -z "$new_files" ] && ok "make clean: nothing left that was not there before" ||
	bad "make clean left:"$'\n'"$new_files"

echo "$fails failed"
[ "$fails" -eq 0 ]
