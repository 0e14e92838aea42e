/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hook layer: attaches a cleancache-style set of operations to the
 * page cache of an unmodified kernel.
 */
#ifndef _PUMA_HOOKS_H
#define _PUMA_HOOKS_H

#include <linux/types.h>

struct address_space;
struct folio;
struct readahead_control;
struct super_block;

/**
 * struct puma_hook_ops - what the page cache tells PUMA
 * @init_fs: a filesystem is mounted (or was, when the hooks attach).
 *	Process context, may sleep.
 * @put: a folio of a regular file leaves the page cache by eviction
 *	(reclaim, drop_caches, fadvise).  Its content is the file's if it is
 *	uptodate, clean and not under writeback: the operation checks.
 *	IRQs off, the mapping's i_pages lock held, the folio locked and maybe
 *	frozen: must not sleep nor take a folio reference.  Only called while
 *	PUMA is enabled.
 * @get: readahead is about to read @nr_to_read pages of @ractl from disk,
 *	skipping any already in the page cache, and to mark the page
 *	@lookahead_size before the end for asynchronous readahead.  Returns
 *	how many pages of the window are in the page cache when it is done,
 *	as it counted them (0: the window is all missing still; pages other
 *	readers add or evict meanwhile are not counted); those it put there
 *	are order-0 folios.  Process context, may sleep; no page lock held.
 *	Only called while PUMA is enabled.
 * @get_fault: a page fault that reads no window (MADV_RANDOM, readahead
 *	off, many misses) is about to read the page at @ractl's index with
 *	->read_folio(): @get for that one page.  Same context as @get, the
 *	fault's lock dropped; returns 1 when the page is cached now.
 * @read_unseen: a folio of a regular file is read from disk through
 *	->read_folio() outside readahead and outside a fault PUMA fetched
 *	for: no get saw it.  Counted only.  Preemption off, the folio
 *	locked: must not sleep.
 * @invalidate_page: a folio of a regular file leaves the page cache
 *	because its content is about to change or be discarded.  Same
 *	context as @put.
 * @invalidate_inode: the content of a regular file may change (truncate,
 *	hole punch, direct-I/O write) or the file goes (inode eviction).
 *	Called both before and after the page cache is changed, and once
 *	more after a direct-I/O write has landed.  Any context: must not
 *	sleep.
 * @invalidate_fs: a filesystem was shut down (unmount); no page of it is
 *	left in the page cache.  Process context, may sleep.
 * @has_pool: does PUMA act on @sb?  Asked in the ftrace callback, before
 *	a call is redirected to a wrapper, so that calls on other
 *	filesystems never run (nor sleep) inside this module.  Any context,
 *	preemption off: must not sleep, and must be cheap.
 *
 * Invalidations are delivered whether or not PUMA is enabled.
 */
struct puma_hook_ops {
	void (*init_fs)(struct super_block *sb);
	void (*put)(struct folio *folio);
	unsigned long (*get)(struct readahead_control *ractl,
			     unsigned long nr_to_read,
			     unsigned long lookahead_size);
	unsigned long (*get_fault)(struct readahead_control *ractl);
	void (*read_unseen)(struct folio *folio);
	void (*invalidate_page)(struct folio *folio);
	void (*invalidate_inode)(struct address_space *mapping);
	void (*invalidate_fs)(struct super_block *sb);
	bool (*has_pool)(const struct super_block *sb);
};

int puma_hooks_init(const struct puma_hook_ops *ops);
void puma_hooks_exit(void);

#endif /* _PUMA_HOOKS_H */
