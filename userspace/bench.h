/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What vmxlab bench (bench.c) shares with its KVM backend (bench-kvm.c):
 * where the bench guests (bench-guests.S) live in guest memory, and the
 * timing of a RUN ioctl's floor.
 */
#ifndef VMXLAB_BENCH_H
#define VMXLAB_BENCH_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_MEM	(4ULL << 20)
#define BENCH_LOAD	0x100000	/* bench-guests.S: loaded and entered here */
#define BENCH_SAMPLES	0x200000	/* ... and its samples from here */
#define BENCH_MAX	((BENCH_MEM - BENCH_SAMPLES) / 4)

void bench_floor(int fd, unsigned long req, volatile uint8_t *immediate_exit,
		 uint32_t *s, unsigned int n);
int kvm_bench_one(const unsigned char *code, size_t len, unsigned int n,
		  uint32_t *samples, uint32_t *floor);

#endif /* VMXLAB_BENCH_H */
