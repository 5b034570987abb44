// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run: image loaders. The format is decided by content: a multiboot
 * v1 header (in the first 8 KiB), else ELF (32-bit x86 or x86-64), else a
 * flat binary. The loaders only place bytes in guest memory and choose the
 * mode and entry point; boot.c builds the machine state around them.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"

/* The Multiboot Specification, version 0.6.96, section 3.1. */
#define MB_HEADER_MAGIC		0x1BADB002
#define MB_SEARCH		8192
#define MB_FLAG_AOUT_KLUDGE	(1u << 16)	/* address fields valid */
#define MB_FLAGS_SUPPORTED	(0x3u | MB_FLAG_AOUT_KLUDGE)

struct mb_header {
	uint32_t magic, flags, checksum;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
	uint32_t entry_addr;
};

/* A file mapped read-only. */
struct image {
	const char *path;
	const uint8_t *data;
	uint64_t size;
};

/* A program header, whichever ELF class it came from. */
struct phdr {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

static int map_file(const char *path, struct image *img)
{
	struct stat st;
	void *p;
	int fd;

	img->path = path;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return run_file_error(path, "%s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return run_file_error(path, "not a regular file");
	}
	if (st.st_size == 0) {
		close(fd);
		return run_file_error(path, "empty image");
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return run_file_error(path, "%s", strerror(errno));
	img->data = p;
	img->size = st.st_size;
	return 0;
}

/*
 * Copies @filesz bytes of the file at @off to guest-physical @gpa and zeroes
 * the rest up to @memsz; records the range for the overlap checks and for
 * --dry-run.
 */
static int place(const struct image *img, struct guest_mem *m, struct boot *b,
		 uint64_t gpa, uint64_t off, uint64_t filesz, uint64_t memsz,
		 const char *what)
{
	struct range *r;

	if (memsz > m->size || gpa > m->size - memsz)
		return run_file_error(img->path,
				      "%s (0x%llx-0x%llx) lies outside guest RAM (0-0x%llx); see --mem",
				      what, (unsigned long long)gpa,
				      (unsigned long long)(gpa + memsz - 1),
				      (unsigned long long)(m->size - 1));
	if (b->nimage == MAX_RANGES)
		return run_file_error(img->path,
				      "more than %d loadable segments",
				      MAX_RANGES);
	memcpy(m->host + gpa, img->data + off, filesz);
	memset(m->host + gpa + filesz, 0, memsz - filesz);
	r = &b->image[b->nimage++];
	*r = (struct range){ .start = gpa, .end = gpa + memsz,
			     .file_off = off, .file_bytes = filesz };
	snprintf(r->what, sizeof(r->what), "%s", what);
	return 0;
}

static int load_flat(const struct image *img, const struct run_opts *o,
		     struct guest_mem *m, struct boot *b)
{
	uint64_t at = o->has_load ? o->load : FLAT_LOAD_ADDR;

	b->format = FMT_FLAT;
	b->mode = MODE_REAL;
	b->entry = at;
	return place(img, m, b, at, 0, img->size, img->size, "flat image");
}

/* The multiboot header's file offset, or -1 if there is none (3.1.1). */
static long find_multiboot(const struct image *img, struct mb_header *h)
{
	uint64_t off, end = img->size < MB_SEARCH ? img->size : MB_SEARCH;

	for (off = 0; off + 12 <= end; off += 4) {
		memset(h, 0, sizeof(*h));
		memcpy(h, img->data + off, 12);
		if (h->magic == MB_HEADER_MAGIC &&
		    (uint32_t)(h->magic + h->flags + h->checksum) == 0) {
			if (off + sizeof(*h) <= img->size)
				memcpy(h, img->data + off, sizeof(*h));
			return off;
		}
	}
	return -1;
}

/* The address fields (3.1.3) must describe a part of the file. */
static const char *mb_aout_error(const struct image *img, long off,
				 const struct mb_header *h)
{
	if (off + sizeof(*h) > img->size)
		return "truncated: the multiboot header's address fields are cut off";
	if (h->load_addr > h->header_addr ||
	    h->header_addr - h->load_addr > (uint64_t)off)
		return "multiboot load_addr is above header_addr, or before the file's start";
	if (h->load_end_addr && h->load_end_addr < h->load_addr)
		return "multiboot load_end_addr is below load_addr";
	return NULL;
}

/*
 * A multiboot image that is not ELF: the header's address fields say which
 * part of the file goes where (3.1.3); --load overrides load_addr.
 */
static int load_mb_aout(const struct image *img, const struct run_opts *o,
			struct guest_mem *m, struct boot *b, long hoff,
			const struct mb_header *h)
{
	const char *err = mb_aout_error(img, hoff, h);
	uint64_t off, at, filesz, memsz;

	if (err)
		return run_file_error(img->path, "%s", err);
	off = hoff - (h->header_addr - h->load_addr);
	at = o->has_load ? o->load : h->load_addr;
	filesz = img->size - off;
	if (h->load_end_addr) {
		filesz = h->load_end_addr - h->load_addr;
		if (off + filesz > img->size)
			return run_file_error(img->path,
					      "truncated: multiboot load_end_addr is past the end of the file");
	}
	memsz = filesz;
	if (h->bss_end_addr) {
		if (h->bss_end_addr < h->load_addr + filesz)
			return run_file_error(img->path,
					      "multiboot bss_end_addr is below the loaded end");
		memsz = h->bss_end_addr - h->load_addr;
	}
	b->mb_aout = true;
	b->entry = h->entry_addr;
	return place(img, m, b, at, off, filesz, memsz, "multiboot image");
}

static bool is_elf(const struct image *img)
{
	return img->size >= 4 && !memcmp(img->data, ELFMAG, SELFMAG);
}

/* Reads program header @i of either class into @p. */
static void read_phdr(const struct image *img, int class, uint64_t at,
		      struct phdr *p)
{
	Elf32_Phdr p32;
	Elf64_Phdr p64;

	if (class == ELFCLASS32) {
		memcpy(&p32, img->data + at, sizeof(p32));
		*p = (struct phdr){ p32.p_type, p32.p_offset, p32.p_paddr,
				    p32.p_filesz, p32.p_memsz };
	} else {
		memcpy(&p64, img->data + at, sizeof(p64));
		*p = (struct phdr){ p64.p_type, p64.p_offset, p64.p_paddr,
				    p64.p_filesz, p64.p_memsz };
	}
}

static int load_segments(const struct image *img, struct guest_mem *m,
			 struct boot *b, int class, uint64_t phoff, int phnum)
{
	uint64_t entsz = class == ELFCLASS32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr);
	char what[48];
	struct phdr p;
	int i;

	if (phoff > img->size || (uint64_t)phnum * entsz > img->size - phoff)
		return run_file_error(img->path,
				      "truncated ELF: program headers past the end of the file");
	for (i = 0; i < phnum; i++) {
		read_phdr(img, class, phoff + i * entsz, &p);
		if (p.type != PT_LOAD || !p.memsz)
			continue;
		if (p.filesz > p.memsz)
			return run_file_error(img->path,
					      "ELF segment %d has p_filesz > p_memsz",
					      i);
		if (p.offset > img->size || p.filesz > img->size - p.offset)
			return run_file_error(img->path,
					      "truncated ELF: segment %d ends past the end of the file",
					      i);
		snprintf(what, sizeof(what), "ELF segment %d", i);
		if (place(img, m, b, p.paddr, p.offset, p.filesz, p.memsz, what))
			return -1;
	}
	if (!b->nimage)
		return run_file_error(img->path,
				      "the ELF file has no loadable segment");
	return 0;
}

/* Checks the ELF header (e_ident, type, machine) and loads the PT_LOADs. */
static int load_elf(const struct image *img, struct guest_mem *m, struct boot *b)
{
	const uint8_t *id = img->data;
	Elf64_Ehdr e64;
	Elf32_Ehdr e32;

	if (img->size < EI_NIDENT || id[EI_DATA] != ELFDATA2LSB ||
	    id[EI_VERSION] != EV_CURRENT)
		return run_file_error(img->path,
				      "not a little-endian ELF version 1 file");
	if (id[EI_CLASS] == ELFCLASS32) {
		if (img->size < sizeof(e32))
			return run_file_error(img->path,
					      "truncated ELF header");
		memcpy(&e32, id, sizeof(e32));
		if (e32.e_machine != EM_386 || e32.e_type != ET_EXEC ||
		    e32.e_phentsize != sizeof(Elf32_Phdr))
			return run_file_error(img->path,
					      "unsupported ELF32 file (machine %u, type %u): need an i386 executable",
					      e32.e_machine, e32.e_type);
		b->format = FMT_ELF32;
		b->mode = MODE_PROTECTED;
		b->entry = e32.e_entry;
		return load_segments(img, m, b, ELFCLASS32, e32.e_phoff, e32.e_phnum);
	}
	if (id[EI_CLASS] != ELFCLASS64)
		return run_file_error(img->path, "unknown ELF class %u",
				      id[EI_CLASS]);
	if (img->size < sizeof(e64))
		return run_file_error(img->path, "truncated ELF header");
	memcpy(&e64, id, sizeof(e64));
	if (e64.e_machine != EM_X86_64 || e64.e_type != ET_EXEC ||
	    e64.e_phentsize != sizeof(Elf64_Phdr))
		return run_file_error(img->path,
				      "unsupported ELF64 file (machine %u, type %u): need an x86-64 executable",
				      e64.e_machine, e64.e_type);
	b->format = FMT_ELF64;
	b->mode = MODE_LONG;
	b->entry = e64.e_entry;
	return load_segments(img, m, b, ELFCLASS64, e64.e_phoff, e64.e_phnum);
}

/* Formats that are certainly not a flat x86 binary, to refuse by name. */
static const char *known_foreign(const struct image *img)
{
	const uint8_t *d = img->data;

	if (img->size >= 2 && d[0] == 0x1f && d[1] == 0x8b)
		return "gzip-compressed data";
	if (img->size >= 6 && !memcmp(d, "\xfd\x37zXZ", 6))
		return "xz-compressed data";
	if (img->size >= 4 && !memcmp(d, "\x28\xb5\x2f\xfd", 4))
		return "zstd-compressed data";
	if (img->size >= 2 && !memcmp(d, "#!", 2))
		return "a script";
	if (img->size >= 0x206 && !memcmp(d + 0x202, "HdrS", 4))
		return "a Linux bzImage (the Linux boot protocol is not supported)";
	return NULL;
}

/* Multiboot: ELF loading unless the image is not ELF and has address fields. */
static int load_multiboot(const struct image *img, const struct run_opts *o,
			  struct guest_mem *m, struct boot *b, long hoff,
			  const struct mb_header *h)
{
	/* Bits 0-15 are requirements (3.1.2); vmxlab has no video mode. */
	if (h->flags & ~MB_FLAGS_SUPPORTED & 0xffff)
		return run_file_error(img->path,
				      "the multiboot header requires what vmxlab lacks (flags 0x%x: video mode or unknown)",
				      h->flags);
	b->multiboot = true;
	if (is_elf(img)) {
		if (load_elf(img, m, b))
			return -1;
	} else if (h->flags & MB_FLAG_AOUT_KLUDGE) {
		b->format = FMT_FLAT;
		if (load_mb_aout(img, o, m, b, hoff, h))
			return -1;
	} else {
		return run_file_error(img->path,
				      "multiboot image that is neither ELF nor has address fields (flag 16)");
	}
	b->mode = MODE_PROTECTED;
	return 0;
}

static int load_detected(const struct image *img, const struct run_opts *o,
			 struct guest_mem *m, struct boot *b)
{
	struct mb_header h;
	const char *foreign;
	long hoff;

	hoff = find_multiboot(img, &h);
	if (hoff >= 0)
		return load_multiboot(img, o, m, b, hoff, &h);
	if (is_elf(img))
		return load_elf(img, m, b);
	foreign = known_foreign(img);
	if (foreign)
		return run_file_error(img->path, "unknown image format: %s",
				      foreign);
	return load_flat(img, o, m, b);
}

/*
 * --initrd: the one multiboot module (Multiboot Specification 0.6.96, 3.3),
 * page-aligned after the highest byte of the image, as QEMU places it.
 */
static int load_initrd(const struct run_opts *o, struct guest_mem *m,
		       struct boot *b)
{
	struct image img = { 0 };
	uint64_t at = 0;
	int i, r;

	if (!b->multiboot)
		return run_file_error(o->image,
				      "--initrd needs a multiboot image (it becomes the multiboot module)");
	for (i = 0; i < b->nimage; i++)
		if (b->image[i].end > at)
			at = b->image[i].end;
	at = (at + 0xfff) & ~0xfffULL;
	if (map_file(o->initrd, &img))
		return -1;
	if (at + img.size > 0xffffffffULL) {
		munmap((void *)img.data, img.size);
		return run_file_error(o->initrd,
				      "does not fit below 4 GiB after the image (multiboot addresses are 32-bit)");
	}
	r = place(&img, m, b, at, 0, img.size, img.size, "initrd (--initrd)");
	munmap((void *)img.data, img.size);
	if (r)
		return -1;
	b->initrd_start = at;
	b->initrd_end = at + img.size;
	return 0;
}

int load_image(const struct run_opts *o, struct guest_mem *m, struct boot *b)
{
	struct image img = { 0 };
	int r;

	if (map_file(o->image, &img))
		return -1;
	r = load_detected(&img, o, m, b);
	munmap((void *)img.data, img.size);
	if (r)
		return -1;
	if (o->has_load && b->format != FMT_FLAT)
		return run_file_error(o->image,
				      "--load applies to flat and multiboot address-field images; ELF segments load at p_paddr");
	if (o->mode != MODE_NONE)
		b->mode = o->mode;
	if (o->has_entry)
		b->entry = o->entry;
	return o->initrd ? load_initrd(o, m, b) : 0;
}
