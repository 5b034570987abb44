#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The uapi header stands alone: it compiles by itself as C90 (as the kernel's
# headers_check does) and as C++, and pahole finds no hole and no padding the
# compiler added in any of its structures (botching-up-ioctls.rst).
#
# usage: tests/check-uapi.sh WORKDIR
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${1:?usage: check-uapi.sh WORKDIR}
mkdir -p "$work"

echo '#include <linux/vmxlab.h>' >"$work/alone.c"
gcc -std=c90 -Wall -Wextra -Werror -fsyntax-only -I"$root/uapi" "$work/alone.c"
echo "C90 alone: ok"

# One variable of every structure the header defines.
{
	echo '#include <linux/vmxlab.h>'
	sed -n 's/^struct \(vmxlab_[a-z0-9_]*\) {$/struct \1 v_\1;/p' \
		"$root/uapi/linux/vmxlab.h"
} >"$work/layout.c"
gcc -g -c -I"$root/uapi" -o "$work/layout.o" "$work/layout.c"
pahole "$work/layout.o" >"$work/pahole.txt"
cat "$work/pahole.txt"
for st in $(sed -n 's/^struct \(vmxlab_[a-z0-9_]*\) {$/\1/p' "$root/uapi/linux/vmxlab.h"); do
	grep -q "^struct $st {" "$work/pahole.txt" || { echo "pahole did not see struct $st"; exit 1; }
done
if grep -n "XXX" "$work/pahole.txt"; then
	echo "implicit holes or padding above"
	exit 1
fi
echo "no holes: ok"
