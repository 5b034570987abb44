# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Host-side steps shared by tests/check.sh and tests/demo.sh. Source it with
# $root (the repository) and $results (the output folder) set.

kernel_sources="Kbuild VERSION module arch uapi tests/kunit"

# build_module NAME KDIR [MAKE ARGS...]: build vmxlab.ko (and vmxlab_kunit.ko
# where the kernel has KUnit) in $results/build/NAME, a private copy of the
# sources, so that two kernels' objects never mix. Log: build-NAME.log.
# Fails on any warning or error.
build_module() {
	local name=$1 kdir=$2 dir=$results/build/$1 log=$results/build-$1.log
	shift 2
	rm -rf "$dir"
	mkdir -p "$dir"
	# shellcheck disable=SC2086
	(cd "$root" && cp -r --parents $kernel_sources "$dir/")
	if make -C "$kdir" M="$dir" W=1 "$@" modules >"$log" 2>&1 &&
		! grep -E "warning:|error:" "$log"; then
		return 0
	fi
	tail -n 30 "$log"
	return 1
}

# build_tools: the tool and the test helpers as static binaries in
# $results/bin, the test guests in $results/guests (they go into initramfs
# images). Fails on any warning.
build_tools() {
	local log=$results/build-tool.log
	mkdir -p "$results/bin"
	if ! make -s -C "$root/userspace" clean static >"$log" 2>&1 ||
		grep -q "warning:" "$log"; then
		cat "$log"
		return 1
	fi
	cp "$root/userspace/vmxlab-static" "$results/bin/vmxlab"
	gcc -static -O2 -Wall -Wextra -Werror -I"$root/uapi" -I"$root/userspace" \
		-o "$results/bin/vmxlab-abi-test" "$root/tests/helpers/abi-test.c" \
		"$root/userspace/lib/libvmxlab.c" &&
		gcc -static -O2 -Wall -Wextra -Werror \
			-o "$results/bin/kvm-hold" "$root/tests/helpers/kvm-hold.c" &&
		gcc -static -O2 -Wall -Wextra -Werror \
			-o "$results/bin/modload" "$root/tests/helpers/modload.c" &&
		gcc -static -O2 -Wall -Wextra -Werror -pthread -I"$root/uapi" \
			-o "$results/bin/vmxlab-run-abi-test" "$root/tests/helpers/run-abi-test.c" &&
		gcc -static -O2 -Wall -Wextra -Werror -pthread -I"$root/uapi" \
			-o "$results/bin/vmxlab-abi-fuzz" "$root/tests/helpers/abi-fuzz.c" &&
		gcc -static -O2 -Wall -Wextra -Werror \
			-o "$results/bin/cpu-hop" "$root/tests/helpers/cpu-hop.c" &&
		build_guests
}

# build_guests: the guests of `vmxlab run` tests (tests/guests, GNU as and
# ld, no libc) in $results/guests. Log: build-guests.log.
build_guests() {
	local log=$results/build-guests.log
	rm -rf "$results/guests"
	if ! make -C "$root/tests/guests" O="$results/guests" >"$log" 2>&1 ||
		grep -q "warning:" "$log"; then
		cat "$log"
		return 1
	fi
}

# mk_initramfs NAME KVM_MODULE...: $results/NAME.cpio.zst with the lane
# scripts, the tools, the test guests (/guests), the modules built for
# kernel NAME, and KVM's modules (for the side-by-side tests).
mk_initramfs() {
	local name=$1 dir=$results/initramfs-$1
	shift
	rm -rf "$dir"
	mkdir -p "$dir/bin" "$dir/tests" "$dir/lib/vmxlab" "$dir/lib/kvm"
	cp "$root/tests/guest/init" "$dir/init"
	mkdir -p "$dir/etc"
	cp "$root/module/60-vmxlab.rules" "$dir/etc/"
	cp "$root"/tests/guest/*.sh "$root/tests/bench-baseline.txt" "$dir/tests/"
	# A piece that failed to build is left out: the lane then fails loudly.
	cp "$results"/bin/* "$dir/bin/" 2>/dev/null || echo "warning: no tools for $name" >&2
	mkdir -p "$dir/guests"
	cp "$results"/guests/*.bin "$results"/guests/*.elf "$dir/guests/" 2>/dev/null ||
		echo "warning: no test guests for $name" >&2
	cp "$results/build/$name"/*.ko "$dir/lib/vmxlab/" 2>/dev/null ||
		echo "warning: no vmxlab.ko for $name" >&2
	[ $# -eq 0 ] || cp "$@" "$dir/lib/kvm/"
	# DKMS_KO (and DKMS_KVER, its kernel): a module DKMS built, installed
	# where DKMS puts it, with depmod's index, for modprobe in the lane.
	if [ -n "${DKMS_KO:-}" ] && [ -f "$DKMS_KO" ]; then
		install -D -m 0644 "$DKMS_KO" "$dir/lib/modules/$DKMS_KVER/updates/dkms/vmxlab.ko"
		depmod -b "$dir" -a "$DKMS_KVER" 2>/dev/null
	fi
	# PKG_ROOT: a root the .deb was installed into with dpkg (check-install.sh);
	# its tool, udev rule and /etc/group go to /pkg for group_access, with
	# the shared libraries the packaged (dynamic) tool needs, from this
	# machine, where the package's Depends would put them.
	if [ -n "${PKG_ROOT:-}" ] && [ -x "$PKG_ROOT/usr/bin/vmxlab" ]; then
		for f in usr/bin/vmxlab lib/udev/rules.d/60-vmxlab.rules etc/group; do
			install -D "$PKG_ROOT/$f" "$dir/pkg/$f"
		done
		ldd "$PKG_ROOT/usr/bin/vmxlab" | awk '$2 == "=>" && $3 ~ /^\// { print $3; next }
			$1 ~ /^\// { print $1 }' | while read -r lib; do
			install -D "$lib" "$dir$lib"
		done
	fi
	# EXTRA_ROOT: a tree copied into the image's root (make check-kut's
	# suite and its list of entries).
	if [ -n "${EXTRA_ROOT:-}" ]; then
		cp -a "$EXTRA_ROOT"/. "$dir/"
	fi
	"$root/tests/rig/initramfs.sh" --zstd "$results/$name.cpio.zst" "$dir"
}

# stock_rig_build WHAT: what `make demo` and `make bench` do before they
# boot: the Debian packages, Debian's stock kernel (STOCK_* variables), the
# module built for it and the tool, in $results.
stock_rig_build() {
	echo "vmxlab $1: installing what it needs (Debian packages) ..."
	"$root/tests/rig/deps.sh"
	eval "$("$root/tests/rig/stock.sh")"
	echo "building vmxlab.ko for $STOCK_VER and the tool ..."
	build_module stock "$STOCK_KDIR"
	build_tools
}

# The stock kernel's KVM modules.
stock_kvm_modules() {
	echo "$STOCK_MODDIR/kernel/arch/x86/kvm/kvm.ko" \
		"$STOCK_MODDIR/kernel/arch/x86/kvm/kvm-intel.ko" \
		"$STOCK_MODDIR/kernel/virt/lib/irqbypass.ko"
}
