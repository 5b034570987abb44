# SPDX-License-Identifier: GPL-2.0
#
# vmxlab top-level Makefile.
#
#   make [KDIR=...]     build vmxlab.ko (here) and userspace/vmxlab
#   make demo           boot an emulated VMX machine (Bochs) and show vmxlab
#   make check          every test: style, KUnit, Bochs and QEMU lanes
#   make soak           lanes bochs-debug-2cpu and nested with the ABI fuzzer
#                       (abi_fuzz) at up to 200000 steps or 40 minutes
#   make install        the module (for KDIR's kernel, then depmod), the tool,
#                       its man page and bash completion, the udev rule
#   make uninstall      removes exactly what install put there
#   make deb            vmxlab_VERSION_amd64.deb here: the tool and the
#                       module's sources for DKMS (userspace/mkdeb.sh)
#   make clean
#
# KDIR is the kernel build tree to build the module against; the default is
# the running kernel's. `make demo` and `make check` need no KDIR: they build
# their own kernels (tests/rig/). install and uninstall take DESTDIR (a
# staging root) and PREFIX (default /usr/local); Documentation/install.rst
# has the layout, DKMS (dkms.conf) and the vmxlab group.

KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# udev reads rules from /lib/udev/rules.d and /etc/udev/rules.d only.
UDEVRULESDIR ?= /lib/udev/rules.d
# The release of KDIR's kernel (uname -r), where its modules live: from
# utsrelease.h, as Debian's headers have another in kernel.release.
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
	"$(KDIR)/include/generated/utsrelease.h" 2>/dev/null)
MODDIR = /lib/modules/$(KVER)/updates

all: module tool

module:
	@test -f "$(KDIR)/Makefile" || { echo "error: no kernel build tree at KDIR=$(KDIR): install the kernel headers or pass KDIR=/path/to/kernel/build" >&2; exit 1; }
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules

tool:
	$(MAKE) -C userspace

demo:
	tests/demo.sh

check:
	tests/check.sh

check-nested:
	tests/check.sh --lanes nested

bench:
	tests/bench.sh

# kvm-unit-tests, built outside this tree: make check-kut KUT=<its x86 dir>
check-kut:
	KUT="$(KUT)" KUT_ENTRIES="$(KUT_ENTRIES)" KUT_OPTS="$(KUT_OPTS)" \
		KUT_TIMEOUT="$(KUT_TIMEOUT)" KUT_VERBOSE="$(KUT_VERBOSE)" \
		KUT_KVM="$(KUT_KVM)" tests/kut.sh

soak:
	tests/check.sh --lanes "bochs-debug-2cpu nested" --fuzz 200000

install: all
	@test -n "$(KVER)" || { echo "error: no kernel release in KDIR=$(KDIR)" >&2; exit 1; }
	install -D -m 0644 vmxlab.ko "$(DESTDIR)$(MODDIR)/vmxlab.ko"
	depmod -b "$(or $(DESTDIR),/)" -a "$(KVER)"
	install -D -m 0755 userspace/vmxlab "$(DESTDIR)$(BINDIR)/vmxlab"
	install -D -m 0644 Documentation/vmxlab.1 "$(DESTDIR)$(MANDIR)/man1/vmxlab.1"
	install -D -m 0644 userspace/vmxlab.bash-completion "$(DESTDIR)$(BASHCOMPDIR)/vmxlab"
	install -D -m 0644 module/60-vmxlab.rules "$(DESTDIR)$(UDEVRULESDIR)/60-vmxlab.rules"

uninstall:
	@test -n "$(KVER)" || { echo "error: no kernel release in KDIR=$(KDIR)" >&2; exit 1; }
	rm -f "$(DESTDIR)$(MODDIR)/vmxlab.ko" "$(DESTDIR)$(BINDIR)/vmxlab" \
	      "$(DESTDIR)$(MANDIR)/man1/vmxlab.1" "$(DESTDIR)$(BASHCOMPDIR)/vmxlab" \
	      "$(DESTDIR)$(UDEVRULESDIR)/60-vmxlab.rules"
	if [ -d "$(DESTDIR)/lib/modules/$(KVER)" ]; then depmod -b "$(or $(DESTDIR),/)" -a "$(KVER)"; fi

deb:
	userspace/mkdeb.sh "$(CURDIR)"

clean:
	rm -rf deb-root vmxlab_*.deb
	@if [ -f "$(KDIR)/Makefile" ]; then $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean; fi
	$(MAKE) -C userspace clean

.PHONY: all module tool demo check check-nested check-kut bench soak install uninstall deb clean
