// SPDX-License-Identifier: GPL-2.0
/*
 * pumarace: readers, writers and evictions of one file at the same time,
 * checked against a model of its content.  Built statically on the host
 * (tests/selftests/helpers/Makefile) and put in the guests as
 * /usr/bin/pumarace.
 *
 *   pumarace FILE PAGES SECONDS [--writers W] [--readers R] [--mmap]
 *            [--mmap-readers] [--truncate]
 *
 * FILE is created with PAGES pages at version 1, written back, read and
 * evicted (so that a lender holds it), then for SECONDS:
 *  - W writers (default 2) each own the pages i with i % W == w and write
 *    one at a time at the next version: pwrite (or, with --mmap, every
 *    other write through a shared mapping and msync), fdatasync, then
 *    evict the page (fadvise DONTNEED), so that its put replaces its
 *    record while readers may be fetching it;
 *  - R readers (default 4) read random runs of 1 to 16 pages with pread
 *    (or, with --mmap-readers, every other reader through a MADV_RANDOM
 *    mapping of the run, made for each read: faults that read no window);
 *  - one evictor drops the whole file from the page cache every 20 ms;
 *  - with --truncate, there is one writer, and now and then it truncates
 *    the file to half its size and back and rewrites the cut pages at a
 *    new version (zeroes are allowed in a read that overlapped that).
 *
 * Every 8-byte word of page i at version v holds v << 32 | i << 9 | word.
 * The model, in shared memory, keeps for each page the last version whose
 * write (and fdatasync) has returned and the last version a writer has
 * started.  A word a reader sees must carry the page's index and a version
 * between the two as they were before and after its read: an older
 * version is a stale page (what PUMA must never return), anything else a
 * wrong one.
 *
 * Prints one line and exits 1 when any word was wrong, 2 on usage errors:
 *   pumarace: seconds=S reads=N writes=N truncates=N evictions=N
 *             bad_pages=N stale_pages=N
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define WORDS		(PAGE / 8)
#define MAX_RUN		16
#define MAX_PROCS	64

typedef unsigned long long u64;
typedef unsigned int u32;

struct model {
	u32 committed;	/* last version whose write returned */
	u32 started;	/* last version a writer began */
};

struct shared {
	u32 tgen;	/* truncates begun + ended: odd while one runs */
	u64 reads, writes, truncates, evictions, bad, stale;
	int reported;
	struct model page[];
};

static struct shared *sh;
static const char *path;
static unsigned long pages;
static int use_mmap, use_mmap_readers, use_truncate;

static void die(const char *what)
{
	fprintf(stderr, "pumarace: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static u64 rnd_state;

static u64 rnd(void)
{
	/* xorshift64* */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ULL;
}

static void fill(u64 *buf, unsigned long i, u32 v)
{
	unsigned long j;

	for (j = 0; j < WORDS; j++)
		buf[j] = (u64)v << 32 | i << 9 | j;
}

static u32 ld(u32 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void st(u32 *p, u32 v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void add(u64 *p, u64 n)
{
	__atomic_fetch_add(p, n, __ATOMIC_RELAXED);
}

static void pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t n;

	while (len) {
		n = pwrite(fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("pwrite");
		buf = (const char *)buf + n;
		len -= n;
		off += n;
	}
}

static void evict(int fd, off_t off, off_t len)
{
	posix_fadvise(fd, off, len, POSIX_FADV_DONTNEED);
}

/* Check the words of page @i read between the two model snapshots. */
static void check_page(const u64 *buf, unsigned long i,
		       const struct model *before, const struct model *after,
		       int cut)
{
	unsigned long j;
	int bad = 0, stale = 0;

	for (j = 0; j < WORDS; j++) {
		u64 w = buf[j];
		u32 v = w >> 32;

		if (!w && cut)
			continue;	/* cut by a truncate in flight */
		if ((w & 0xffffffffULL) != (i << 9 | j))
			bad = 1;
		else if (v < before->committed)
			stale = 1;
		else if (v > after->started)
			bad = 1;
		if (bad || stale)
			break;
	}
	if (!bad && !stale)
		return;
	add(&sh->bad, 1);
	if (stale)
		add(&sh->stale, 1);
	if (__atomic_fetch_add(&sh->reported, 1, __ATOMIC_RELAXED) < 8)
		fprintf(stderr,
			"pumarace: page %lu word %lu: %016llx (committed %u started %u before, %u %u after)%s\n",
			i, j, buf[j], before->committed,
			before->started, after->committed, after->started,
			stale ? " STALE" : "");
}

static void snap(unsigned long i, struct model *m)
{
	m->committed = ld(&sh->page[i].committed);
	m->started = ld(&sh->page[i].started);
}

/* Read pages [@i, @i + @n) through a fresh MADV_RANDOM mapping. */
static ssize_t read_mapped(int fd, u64 *buf, unsigned long i, unsigned long n)
{
	char *map = mmap(NULL, n * PAGE, PROT_READ, MAP_SHARED, fd, i * PAGE);

	if (map == MAP_FAILED || madvise(map, n * PAGE, MADV_RANDOM))
		die("mmap");
	memcpy(buf, map, n * PAGE);
	munmap(map, n * PAGE);
	return n * PAGE;
}

static void reader(double end, int mapped)
{
	struct model before[MAX_RUN], after[MAX_RUN];
	u64 *buf = aligned_alloc(PAGE, PAGE * MAX_RUN);
	int fd = open(path, O_RDONLY);
	unsigned long i, n, k;
	u32 tgen;
	ssize_t got;

	if (fd < 0 || !buf)
		die("reader");
	while (now() < end) {
		i = rnd() % pages;
		n = 1 + rnd() % MAX_RUN;
		if (i + n > pages)
			n = pages - i;
		tgen = ld(&sh->tgen);
		for (k = 0; k < n; k++)
			snap(i + k, &before[k]);
		if (mapped)
			got = read_mapped(fd, buf, i, n);
		else
			got = pread(fd, buf, n * PAGE, i * PAGE);
		if (got < 0)
			die("pread");
		for (k = 0; k < n; k++)
			snap(i + k, &after[k]);
		/* Zeroes are right if a truncate ran during the read. */
		tgen = (tgen & 1) || tgen != ld(&sh->tgen);
		for (k = 0; k < n; k++) {
			/* Past the end during a truncate: nothing to check. */
			if ((k + 1) * PAGE > (unsigned long)got)
				break;
			check_page(buf + k * WORDS, i + k, &before[k],
				   &after[k], tgen);
		}
		add(&sh->reads, 1);
	}
	exit(0);
}

static void write_page(int fd, u64 *buf, unsigned long i, int through_mmap)
{
	u32 v = ld(&sh->page[i].started) + 1;
	char *map;

	st(&sh->page[i].started, v);
	fill(buf, i, v);
	if (through_mmap) {
		map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   i * PAGE);
		if (map == MAP_FAILED)
			die("mmap");
		memcpy(map, buf, PAGE);
		if (msync(map, PAGE, MS_SYNC))
			die("msync");
		munmap(map, PAGE);
	} else {
		pwrite_all(fd, buf, PAGE, i * PAGE);
	}
	if (fdatasync(fd))
		die("fdatasync");
	st(&sh->page[i].committed, v);
	evict(fd, i * PAGE, PAGE);
	add(&sh->writes, 1);
}

/* Cut the file's second half and write it back at a new version. */
static void truncate_half(int fd, u64 *buf)
{
	unsigned long i, half = pages / 2;

	st(&sh->tgen, ld(&sh->tgen) + 1);
	if (ftruncate(fd, half * PAGE))
		die("ftruncate");
	if (ftruncate(fd, pages * PAGE))
		die("ftruncate");
	/* Zeroes now: version 0 until rewritten; readers accept zeroes. */
	for (i = half; i < pages; i++) {
		u32 v = ld(&sh->page[i].started) + 1;

		st(&sh->page[i].started, v);
		fill(buf, i, v);
		pwrite_all(fd, buf, PAGE, i * PAGE);
	}
	if (fdatasync(fd))
		die("fdatasync");
	for (i = half; i < pages; i++)
		st(&sh->page[i].committed, ld(&sh->page[i].started));
	st(&sh->tgen, ld(&sh->tgen) + 1);
	add(&sh->truncates, 1);
}

static void writer(int w, int nw, double end)
{
	u64 *buf = aligned_alloc(PAGE, PAGE);
	int fd = open(path, O_RDWR);
	unsigned long mine = (pages - w + nw - 1) / nw, i;
	u64 n = 0;

	if (fd < 0 || !buf)
		die("writer");
	while (now() < end) {
		if (use_truncate && n % 64 == 63) {
			truncate_half(fd, buf);
		} else {
			i = w + nw * (rnd() % mine);
			write_page(fd, buf, i, use_mmap && (n & 1));
		}
		n++;
	}
	exit(0);
}

static void evictor(double end)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die("evictor");
	while (now() < end) {
		evict(fd, 0, 0);
		add(&sh->evictions, 1);
		usleep(20000);
	}
	exit(0);
}

static unsigned long num(const char *s, const char *what)
{
	char *e;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || e == s || *e) {
		fprintf(stderr, "pumarace: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static void usage(void)
{
	fputs("Usage: pumarace FILE PAGES SECONDS [--writers W] [--readers R]\n"
	      "                [--mmap] [--mmap-readers] [--truncate]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long nw = 2, nr = 4, secs, i;
	pid_t pids[MAX_PROCS];
	int np = 0, fd, a, status, failed = 0;
	double end, start;
	u64 *buf;

	if (argc < 4)
		usage();
	path = argv[1];
	pages = num(argv[2], "PAGES");
	secs = num(argv[3], "SECONDS");
	for (a = 4; a < argc; a++) {
		if (!strcmp(argv[a], "--writers") && a + 1 < argc)
			nw = num(argv[++a], "writers");
		else if (!strcmp(argv[a], "--readers") && a + 1 < argc)
			nr = num(argv[++a], "readers");
		else if (!strcmp(argv[a], "--mmap"))
			use_mmap = 1;
		else if (!strcmp(argv[a], "--mmap-readers"))
			use_mmap_readers = 1;
		else if (!strcmp(argv[a], "--truncate"))
			use_truncate = 1;
		else
			usage();
	}
	/* A mapping read past a truncate would fault (SIGBUS). */
	if (!pages || pages > (1UL << 22) || !nw || nw > pages ||
	    nw + nr + 1 > MAX_PROCS || (use_mmap_readers && use_truncate))
		usage();
	/* Writer 0 alone truncates: with --truncate it is the only one. */
	if (use_truncate)
		nw = 1;

	sh = mmap(NULL, sizeof(*sh) + pages * sizeof(struct model),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	buf = aligned_alloc(PAGE, PAGE);
	if (sh == MAP_FAILED || !buf)
		die("memory");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(path);
	for (i = 0; i < pages; i++) {
		fill(buf, i, 1);
		pwrite_all(fd, buf, PAGE, i * PAGE);
		sh->page[i].committed = 1;
		sh->page[i].started = 1;
	}
	if (fsync(fd))
		die("fsync");
	/* Into the page cache and out: the lender holds version 1. */
	for (i = 0; i < pages; i++)
		if (pread(fd, buf, PAGE, i * PAGE) != (ssize_t)PAGE)
			die("pread");
	evict(fd, 0, 0);
	close(fd);
	sleep(1);

	start = now();
	end = start + secs;
	for (i = 0; i < nw + nr + 1; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (!pid) {
			rnd_state = 0x9e3779b97f4a7c15ULL * (i + 1) ^ getpid();
			if (i < nw)
				writer(i, nw, end);
			else if (i < nw + nr)
				reader(end, use_mmap_readers && (i - nw) % 2);
			else
				evictor(end);
		}
		pids[np++] = pid;
	}
	for (a = 0; a < np; a++) {
		if (waitpid(pids[a], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed = 1;
	}
	printf("pumarace: seconds=%.1f reads=%llu writes=%llu truncates=%llu",
	       now() - start, sh->reads, sh->writes, sh->truncates);
	printf(" evictions=%llu bad_pages=%llu stale_pages=%llu\n",
	       sh->evictions, sh->bad, sh->stale);
	if (failed)
		return 2;
	return sh->bad ? 1 : 0;
}
