// SPDX-License-Identifier: GPL-2.0
/*
 * pumaio: the file I/O PUMA's guest tests need and the guest's busybox
 * lacks.  Built statically on the host (tests/selftests/helpers/Makefile)
 * and put in the guests as /usr/bin/pumaio.
 *
 *   pumaio mkfile FILE MIB TABLE   write MIB MiB of random bytes to FILE and
 *                                  the hash of each 4 KiB page to TABLE
 *   pumaio hash FILE TABLE         the page hashes of an existing FILE
 *   pumaio pass FILE TABLE [opts]  read FILE in 64 KiB chunks in a seeded
 *                                  shuffled order, verify every page
 *   pumaio order N SEED            print the shuffled order of N chunks
 *   pumaio mmapwrite FILE OFF SRC  copy SRC into FILE at byte OFF through
 *                                  a shared mapping (within FILE's size),
 *                                  then msync(MS_SYNC)
 *   pumaio evict FILE...           write back, then drop the files' clean
 *                                  pages from the page cache
 *                                  (fadvise DONTNEED: the path drop_caches
 *                                  takes, for these files only)
 *   pumaio resident FILE           print how many of FILE's pages are in
 *                                  the page cache (mincore)
 *   pumaio dedupe SRC DST          FIDEDUPERANGE all of SRC onto DST (the
 *                                  kernel reads both through
 *                                  read_mapping_folio()); prints
 *                                  status=N bytes=N
 *   pumaio mmapread FILE TABLE ADVICE SEED
 *                                  map FILE, madvise it ADVICE (normal,
 *                                  random, sequential), touch every page in
 *                                  SEED's shuffled order (0: file order) and
 *                                  verify each one; prints pages=N
 *                                  bad_pages=N, exits 1 on a bad page
 *   pumaio manyfiles DIR N         create N one-page files of random bytes
 *                                  in DIR (f0 ... fN-1), write them back,
 *                                  then read and evict each one, so that a
 *                                  lender holds N files of one page
 *
 * pass options:
 *   --seed S      order seed (default 1; 0 reads in file order)
 *   --chunk KIB   chunk size in KiB (default 64; a multiple of 4)
 *   --at K:CMD    after K chunks, start "sh -c CMD" without waiting for it
 *   --at-wait K:CMD  the same, but read on only when CMD has ended
 *   --until FILE  repeat passes (seed S, S+1, ...) until FILE exists
 *   --passes N    repeat N passes (default 1)
 *   --slow-ms MS  a chunk read taking longer counts as slow (default 1000)
 *   --reads N     stop after N chunk reads in all (default: every chunk)
 *   --think-us US sleep US microseconds after each chunk read (default 0)
 *
 * pass prints one line, key=value pairs, and exits 1 when any page was
 * wrong or a read failed, 2 on a usage error:
 *   pumaio: pass=N chunks=N pages=N bad_pages=N errors=N seconds=S
 *           max_chunk_ms=MS slow_chunks=N read_seconds=S read_p50_us=US
 *           read_p99_us=US
 * (seconds: wall time, think time included; read_seconds: the reads
 * alone; read_p50_us and read_p99_us: percentiles of the reads' times)
 *
 * A page hash is a 64-bit mix of the page's bytes seeded by its index, so a
 * page returned at the wrong index is caught as surely as a flipped bit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define MIB		(1024UL * 1024UL)
#define TABLE_MAGIC	0x3148534148414d55ULL	/* "UMAHASH1" */

typedef unsigned long long u64;

static const char *prog = "pumaio";

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static u64 rotl(u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static u64 fmix(u64 h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* page_hash: the hash of LEN bytes (at most a page) at page index IDX */
static u64 page_hash(const unsigned char *p, size_t len, u64 idx)
{
	u64 h = fmix(idx * 0x9e3779b97f4a7c15ULL + 0x50554d41ULL) ^ len;
	size_t i;
	u64 w;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = rotl(h ^ (w * 0x87c37b91114253d5ULL), 31) *
		    0x4cf5ad432745937fULL;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return fmix(h);
}

/* xoshiro256** */
static u64 rs[4];

static u64 rnd(void)
{
	u64 r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;

	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl(rs[3], 45);
	return r;
}

static void seed_rnd(u64 seed)
{
	int i;

	for (i = 0; i < 4; i++) {
		seed += 0x9e3779b97f4a7c15ULL;
		rs[i] = fmix(seed);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static u64 parse_u64(const char *s, const char *what)
{
	char *end;
	u64 v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		die("bad %s", what);
	return v;
}

static void *xmalloc(size_t n)
{
	void *p = NULL;

	if (posix_memalign(&p, PAGE, n ? n : PAGE))
		die("out of memory%s", "");
	return p;
}

static void write_all(int fd, const void *buf, size_t len, const char *name)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write to %s failed", name);
		p += n;
		len -= n;
	}
}

struct table {
	u64 magic;
	u64 size;
	u64 pages;
	u64 *hash;
};

static void table_save(const struct table *t, const char *name)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die("cannot create %s", name);
	write_all(fd, t, 3 * sizeof(u64), name);
	write_all(fd, t->hash, t->pages * sizeof(u64), name);
	if (close(fd))
		die("cannot write %s", name);
}

static void table_load(struct table *t, const char *name)
{
	FILE *f = fopen(name, "r");

	if (!f || fread(t, sizeof(u64), 3, f) != 3 || t->magic != TABLE_MAGIC ||
	    t->pages != (t->size + PAGE - 1) / PAGE)
		die("%s is not a hash table", name);
	t->hash = xmalloc(t->pages * sizeof(u64));
	if (fread(t->hash, sizeof(u64), t->pages, f) != t->pages)
		die("%s is truncated", name);
	fclose(f);
}

static int cmd_mkfile(char **argv)
{
	u64 mib = parse_u64(argv[1], "size"), i, j, seed;
	unsigned char *buf = xmalloc(MIB);
	struct table t = { TABLE_MAGIC, mib * MIB, mib * MIB / PAGE, NULL };
	u64 *w = (u64 *)buf;
	int fd;

	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		die("getrandom failed%s", "");
	seed_rnd(seed);
	t.hash = xmalloc(t.pages * sizeof(u64));
	fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("cannot create %s", argv[0]);
	for (i = 0; i < mib; i++) {
		for (j = 0; j < MIB / 8; j++)
			w[j] = rnd();
		for (j = 0; j < MIB / PAGE; j++)
			t.hash[i * (MIB / PAGE) + j] =
				page_hash(buf + j * PAGE, PAGE, i * (MIB / PAGE) + j);
		write_all(fd, buf, MIB, argv[0]);
	}
	if (close(fd))
		die("cannot write %s", argv[0]);
	table_save(&t, argv[2]);
	return 0;
}

static int cmd_hash(char **argv)
{
	int fd = open(argv[0], O_RDONLY);
	unsigned char *buf = xmalloc(PAGE);
	struct table t = { TABLE_MAGIC, 0, 0, NULL };
	struct stat st;
	u64 i;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st))
		die("cannot open %s", argv[0]);
	t.size = st.st_size;
	t.pages = (t.size + PAGE - 1) / PAGE;
	t.hash = xmalloc(t.pages * sizeof(u64));
	for (i = 0; i < t.pages; i++) {
		n = pread(fd, buf, PAGE, i * PAGE);
		if (n < 0 || (u64)n != (i + 1 < t.pages ? PAGE : t.size - i * PAGE))
			die("short read from %s", argv[0]);
		t.hash[i] = page_hash(buf, n, i);
	}
	close(fd);
	table_save(&t, argv[1]);
	return 0;
}

/* order: 0..n-1 shuffled (Fisher-Yates) from SEED; file order for seed 0 */
static unsigned int *order(unsigned int n, u64 seed)
{
	unsigned int *o = xmalloc((n ? n : 1) * sizeof(*o)), i, j, x;

	for (i = 0; i < n; i++)
		o[i] = i;
	if (!seed)
		return o;
	seed_rnd(seed);
	for (i = n; i > 1; i--) {
		j = rnd() % i;
		x = o[i - 1];
		o[i - 1] = o[j];
		o[j] = x;
	}
	return o;
}

static int cmd_order(char **argv)
{
	unsigned int n = parse_u64(argv[0], "count"), i;
	unsigned int *o = order(n, parse_u64(argv[1], "seed"));

	for (i = 0; i < n; i++)
		printf("%u\n", o[i]);
	return 0;
}

struct pass_opts {
	u64 seed;
	u64 chunk;
	u64 at;
	const char *at_cmd;
	int at_wait;
	const char *until;
	u64 passes;
	double slow;
	u64 reads;
	u64 think_us;
};

struct pass_result {
	u64 chunks;
	u64 pages;
	u64 bad;
	u64 errors;
	u64 slow;
	double max;
	double busy;
	double *times;
	u64 ntimes;
	u64 cap;
};

/* record one chunk read's time, for the percentiles */
static void pass_time(struct pass_result *r, double dt)
{
	if (r->ntimes == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 4096;
		r->times = realloc(r->times, r->cap * sizeof(*r->times));
		if (!r->times)
			die("out of memory%s", "");
	}
	r->times[r->ntimes++] = dt;
	r->busy += dt;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* the P-th percentile of the chunk reads' times, in microseconds */
static double pass_pct_us(struct pass_result *r, unsigned int p)
{
	if (!r->ntimes)
		return 0;
	return r->times[(r->ntimes - 1) * p / 100] * 1e6;
}

static pid_t start_cmd(const char *cmd)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void one_pass(int fd, const struct table *t, const struct pass_opts *o,
		     u64 seed, struct pass_result *r, pid_t *child)
{
	u64 ppc = o->chunk / PAGE, nchunks = (t->pages + ppc - 1) / ppc;
	unsigned char *buf = xmalloc(o->chunk);
	unsigned int *ord = order(nchunks, seed);
	u64 c, p, idx, want;
	double t0, dt;
	ssize_t n;

	for (c = 0; c < nchunks; c++) {
		if (o->reads && r->chunks >= o->reads)
			break;
		if (o->at_cmd && r->chunks == o->at && *child <= 0) {
			*child = start_cmd(o->at_cmd);
			if (o->at_wait && *child > 0)
				waitpid(*child, NULL, 0);
		}
		idx = (u64)ord[c] * ppc;
		want = t->size - idx * PAGE;
		if (want > o->chunk)
			want = o->chunk;
		t0 = now();
		n = pread(fd, buf, want, idx * PAGE);
		dt = now() - t0;
		pass_time(r, dt);
		if (o->think_us)
			usleep(o->think_us);
		r->chunks++;
		if (dt > r->max)
			r->max = dt;
		if (dt > o->slow)
			r->slow++;
		if (n < 0 || (u64)n != want) {
			if (r->errors++ < 5)
				fprintf(stderr, "%s: read at page %llu: %s\n",
					prog, idx, n < 0 ? strerror(errno) : "short");
			continue;
		}
		for (p = 0; p * PAGE < want; p++, idx++) {
			size_t len = want - p * PAGE < PAGE ? want - p * PAGE : PAGE;

			r->pages++;
			if (page_hash(buf + p * PAGE, len, idx) != t->hash[idx] &&
			    r->bad++ < 10)
				fprintf(stderr, "%s: wrong bytes in page %llu (offset %llu)\n",
					prog, idx, idx * PAGE);
		}
	}
	free(ord);
	free(buf);
}

static int cmd_pass(int argc, char **argv)
{
	struct pass_opts o = { 1, 64 * 1024, 0, NULL, 0, NULL, 1, 1.0, 0, 0 };
	struct pass_result r = { 0 };
	struct table t;
	pid_t child = 0;
	u64 pass = 0;
	char *colon;
	double t0;
	int i, fd, st;

	for (i = 2; i < argc; i += 2) {
		if (i + 1 >= argc)
			die("%s needs a value", argv[i]);
		if (!strcmp(argv[i], "--seed")) {
			o.seed = parse_u64(argv[i + 1], "seed");
		} else if (!strcmp(argv[i], "--chunk")) {
			o.chunk = parse_u64(argv[i + 1], "chunk") * 1024;
			if (!o.chunk || o.chunk % PAGE)
				die("--chunk wants a multiple of 4%s", "");
		} else if (!strcmp(argv[i], "--at") ||
			   !strcmp(argv[i], "--at-wait")) {
			o.at_wait = !strcmp(argv[i], "--at-wait");
			colon = strchr(argv[i + 1], ':');
			if (!colon)
				die("--at wants K:CMD%s", "");
			*colon = 0;
			o.at = parse_u64(argv[i + 1], "--at count");
			o.at_cmd = colon + 1;
		} else if (!strcmp(argv[i], "--until")) {
			o.until = argv[i + 1];
		} else if (!strcmp(argv[i], "--passes")) {
			o.passes = parse_u64(argv[i + 1], "passes");
		} else if (!strcmp(argv[i], "--slow-ms")) {
			o.slow = parse_u64(argv[i + 1], "slow-ms") / 1000.0;
		} else if (!strcmp(argv[i], "--reads")) {
			o.reads = parse_u64(argv[i + 1], "reads");
		} else if (!strcmp(argv[i], "--think-us")) {
			o.think_us = parse_u64(argv[i + 1], "think-us");
		} else {
			die("unknown option %s", argv[i]);
		}
	}
	table_load(&t, argv[1]);
	fd = open(argv[0], O_RDONLY);
	if (fd < 0)
		die("cannot open %s", argv[0]);
	t0 = now();
	do {
		one_pass(fd, &t, &o, o.seed ? o.seed + pass : 0, &r, &child);
		pass++;
	} while (!(o.reads && r.chunks >= o.reads) &&
		 (o.until ? access(o.until, F_OK) != 0 : pass < o.passes));
	printf("%s: pass=%llu chunks=%llu pages=%llu bad_pages=%llu errors=%llu",
	       prog, pass, r.chunks, r.pages, r.bad, r.errors);
	if (r.ntimes)
		qsort(r.times, r.ntimes, sizeof(*r.times), cmp_double);
	printf(" seconds=%.3f max_chunk_ms=%.1f slow_chunks=%llu",
	       now() - t0, r.max * 1000, r.slow);
	printf(" read_seconds=%.3f read_p50_us=%.0f read_p99_us=%.0f\n",
	       r.busy, pass_pct_us(&r, 50), pass_pct_us(&r, 99));
	fflush(stdout);
	if (child > 0 && !o.at_wait)
		waitpid(child, &st, 0);
	free(r.times);
	close(fd);
	return r.bad || r.errors;
}

static int cmd_mmapwrite(char **argv)
{
	u64 off = parse_u64(argv[1], "offset"), start, len;
	int fd = open(argv[0], O_RDWR), src = open(argv[2], O_RDONLY);
	struct stat st;
	char *map;

	if (fd < 0 || src < 0 || fstat(src, &st))
		die("cannot open %s or the source", argv[0]);
	len = st.st_size;
	start = off & ~(PAGE - 1);
	map = mmap(NULL, off - start + len, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, start);
	if (map == MAP_FAILED)
		die("cannot map %s", argv[0]);
	if (read(src, map + (off - start), len) != (ssize_t)len)
		die("short read from %s", argv[2]);
	if (msync(map, off - start + len, MS_SYNC))
		die("msync of %s failed", argv[0]);
	munmap(map, off - start + len);
	close(src);
	return close(fd) ? 1 : 0;
}

static int cmd_evict(int n, char **files)
{
	int i, fd, err = 0;

	for (i = 0; i < n; i++) {
		fd = open(files[i], O_RDONLY);
		if (fd < 0 || fdatasync(fd) ||
		    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)) {
			fprintf(stderr, "%s: cannot evict %s\n", prog, files[i]);
			err = 1;
		}
		if (fd >= 0)
			close(fd);
	}
	return err;
}

static int cmd_manyfiles(char **argv)
{
	unsigned long n = parse_u64(argv[1], "count"), i;
	char name[4096], buf[PAGE];
	int fd, dir;

	dir = open(argv[0], O_RDONLY | O_DIRECTORY);
	if (dir < 0)
		die("cannot open %s", argv[0]);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%lu", i);
		fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || getrandom(buf, sizeof(buf), 0) != sizeof(buf))
			die("cannot create a file in %s", argv[0]);
		write_all(fd, buf, sizeof(buf), name);
		close(fd);
	}
	if (syncfs(dir))
		die("cannot sync %s", argv[0]);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%lu", i);
		fd = openat(dir, name, O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof(buf)) != sizeof(buf) ||
		    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
			die("cannot read back a file in %s", argv[0]);
		close(fd);
	}
	close(dir);
	return 0;
}

static int cmd_resident(char **argv)
{
	int fd = open(argv[0], O_RDONLY);
	unsigned char *vec;
	struct stat st;
	u64 pages, i, n = 0;
	void *map;

	if (fd < 0 || fstat(fd, &st))
		die("cannot open %s", argv[0]);
	pages = (st.st_size + PAGE - 1) / PAGE;
	if (pages) {
		map = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		vec = xmalloc(pages);
		if (map == MAP_FAILED || mincore(map, st.st_size, vec))
			die("mincore on %s failed", argv[0]);
		for (i = 0; i < pages; i++)
			n += vec[i] & 1;
		munmap(map, st.st_size);
	}
	printf("%llu\n", n);
	close(fd);
	return 0;
}

static int cmd_dedupe(char **argv)
{
	int src = open(argv[0], O_RDONLY), dst = open(argv[1], O_RDWR);
	struct file_dedupe_range *r;
	struct stat st;

	if (src < 0 || dst < 0 || fstat(src, &st))
		die("cannot open %s or the destination", argv[0]);
	r = xmalloc(sizeof(*r) + sizeof(r->info[0]));
	memset(r, 0, sizeof(*r) + sizeof(r->info[0]));
	r->src_length = st.st_size;
	r->dest_count = 1;
	r->info[0].dest_fd = dst;
	if (ioctl(src, FIDEDUPERANGE, r))
		die("FIDEDUPERANGE from %s failed", argv[0]);
	printf("status=%d bytes=%llu\n", r->info[0].status,
	       (unsigned long long)r->info[0].bytes_deduped);
	free(r);
	close(src);
	close(dst);
	return 0;
}

static int cmd_mmapread(char **argv)
{
	int fd = open(argv[0], O_RDONLY), advice;
	u64 seed = parse_u64(argv[3], "seed"), i, bad = 0;
	unsigned int *o;
	struct table t;
	struct stat st;
	size_t len;
	char *map;

	if (!strcmp(argv[2], "normal"))
		advice = MADV_NORMAL;
	else if (!strcmp(argv[2], "random"))
		advice = MADV_RANDOM;
	else if (!strcmp(argv[2], "sequential"))
		advice = MADV_SEQUENTIAL;
	else
		die("unknown advice %s", argv[2]);
	table_load(&t, argv[1]);
	if (fd < 0 || fstat(fd, &st) || (u64)st.st_size != t.size || !t.size)
		die("cannot open %s, or its size is not the table's", argv[0]);
	len = st.st_size;
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED || madvise(map, len, advice))
		die("cannot map %s", argv[0]);
	o = order(t.pages, seed);
	for (i = 0; i < t.pages; i++) {
		u64 p = o[i], n = p + 1 < t.pages ? PAGE : len - p * PAGE;

		if (page_hash((unsigned char *)map + p * PAGE, n, p) !=
		    t.hash[p])
			bad++;
	}
	printf("pages=%llu bad_pages=%llu\n", (unsigned long long)t.pages,
	       (unsigned long long)bad);
	munmap(map, len);
	free(o);
	free(t.hash);
	close(fd);
	return bad ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"Usage: %s mkfile FILE MIB TABLE | hash FILE TABLE |\n"
		"       %s pass FILE TABLE [--seed S] [--chunk KIB] [--at[-wait] K:CMD]\n"
		"              [--until FILE] [--passes N] [--slow-ms MS]\n"
		"              [--reads N] [--think-us US] |\n"
		"       %s order N SEED | mmapwrite FILE OFFSET SRC |\n"
		"       %s evict FILE... | resident FILE | manyfiles DIR N |\n"
		"       %s mmapread FILE TABLE normal|random|sequential SEED |\n"
		"       dedupe SRC DST\n",
		prog, prog, prog, prog, prog);
	exit(2);
}

int main(int argc, char **argv)
{
	/* A reader's output may go to a pipe whose reader left. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "mkfile") && argc == 5)
		return cmd_mkfile(argv + 2);
	if (!strcmp(argv[1], "hash") && argc == 4)
		return cmd_hash(argv + 2);
	if (!strcmp(argv[1], "pass") && argc >= 4)
		return cmd_pass(argc - 2, argv + 2);
	if (!strcmp(argv[1], "order") && argc == 4)
		return cmd_order(argv + 2);
	if (!strcmp(argv[1], "mmapwrite") && argc == 5)
		return cmd_mmapwrite(argv + 2);
	if (!strcmp(argv[1], "evict") && argc >= 3)
		return cmd_evict(argc - 2, argv + 2);
	if (!strcmp(argv[1], "resident") && argc == 3)
		return cmd_resident(argv + 2);
	if (!strcmp(argv[1], "dedupe") && argc == 4)
		return cmd_dedupe(argv + 2);
	if (!strcmp(argv[1], "mmapread") && argc == 6)
		return cmd_mmapread(argv + 2);
	if (!strcmp(argv[1], "manyfiles") && argc == 4)
		return cmd_manyfiles(argv + 2);
	usage();
	return 2;
}
