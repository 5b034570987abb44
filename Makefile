# SPDX-License-Identifier: GPL-2.0
#
# vmxlab top-level Makefile.
#
#   make [KDIR=...]     build vmxlab.ko (here) and userspace/vmxlab
#   make demo           boot an emulated VMX machine (Bochs) and show vmxlab
#   make check          every test: style, KUnit, Bochs and QEMU lanes
#   make soak           lanes bochs-debug-2cpu and nested with the ABI fuzzer
#                       (abi_fuzz) at up to 200000 steps or 40 minutes
#   make clean
#
# KDIR is the kernel build tree to build the module against; the default is
# the running kernel's. `make demo` and `make check` need no KDIR: they build
# their own kernels (tests/rig/).

KDIR ?= /lib/modules/$(shell uname -r)/build

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

soak:
	tests/check.sh --lanes "bochs-debug-2cpu nested" --fuzz 200000

clean:
	@if [ -f "$(KDIR)/Makefile" ]; then $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean; fi
	$(MAKE) -C userspace clean

.PHONY: all module tool demo check check-nested soak clean
