// SPDX-License-Identifier: GPL-2.0
/*
 * The hook layer: cleancache semantics on a kernel without cleancache.
 *
 * cleancache left mainline in 5.17.  PUMA keeps its contract (struct
 * puma_hook_ops) and attaches it with ftrace to functions that Debian's
 * 6.1 and 6.12 kernels both export or trace.  This is the only file that
 * knows which kernel functions those are; see Documentation/admin-guide/
 * puma.rst for the map and the reasons.
 *
 * Two kinds of hooks:
 *
 * - observers run at a function's entry and look at its arguments:
 *   __filemap_remove_folio(folio, shadow), through which single folios
 *   leave the page cache (truncate also removes folios in batches, through
 *   delete_from_page_cache_batch(): those are covered by the invalidation
 *   of the whole file around truncate_inode_pages_range()).  Whether a
 *   removal is an eviction (put) or the start of a content change
 *   (invalidate_page) is decided by the caller: only removals from the
 *   reclaim/drop_caches path (__remove_mapping) are evictions.
 *
 * - redirects replace a function by a wrapper (FTRACE_OPS_FL_IPMODIFY) that
 *   acts, calls the original, and may act again when it returns.  The
 *   original is called from inside this module, which the ftrace callback
 *   recognises (within_module()) and lets through.  The call is never in
 *   tail position (puma_hook_leave() follows it): a tail jump would be
 *   redirected again, forever.  Only calls PUMA acts on are redirected:
 *   the ftrace callback looks at the arguments first (a mapping or a
 *   superblock with a pool, a mount of an opted-in type) and lets every
 *   other call run the original in place, so that a truncate sleeping on
 *   some other filesystem (a suspended device, a dead NFS server) never
 *   has this module's text on its stack, and unloading never waits for it.
 *
 * A function that an original reaches through a tail call sees, as its
 * return address, the wrapper that called that original: the inner hook
 * lets the call through.  page_cache_ra_order() tail-calls
 * page_cache_ra_unbounded() on 6.1 when it falls back to order-0 pages
 * (ext4 always does): so the wrapper of page_cache_ra_order() makes the
 * get for the whole window itself, and a page_cache_ra_unbounded() called
 * from inside page_cache_ra_order() (no tail call: 6.12 may) is let
 * through too, so that no window is fetched for twice.
 *
 * The read side, where a page-cache miss is read from disk:
 * - readahead: page_cache_ra_unbounded() (order-0 folios) and
 *   page_cache_ra_order() (large folios: xfs; mmap read-around; the
 *   readahead of read(2) on 6.1 and 6.12), both wrapped: get, then read;
 * - page faults that read no window (MADV_RANDOM, readahead off, a file
 *   faulted at random): filemap_fault() is wrapped, and fetches the one
 *   page before the original finds it missing;
 * - everything else reaches the static filemap_read_folio(): it is only
 *   observed, to count the pages read from disk that no get saw.
 *
 * Unloading: after the ftrace ops are unregistered no new call can enter a
 * wrapper (unregister_ftrace_function() waits for the callbacks still
 * running); synchronize_rcu_tasks() then waits for any task preempted
 * between the ftrace trampoline and puma_hook_enter(), puma_hooks_inflight
 * for the wrappers still running (a truncate on a pooled filesystem may
 * sleep for long), and a last synchronize_rcu_tasks() for the
 * instructions after puma_hook_leave().  Calls on filesystems without a
 * pool were never redirected: nothing waits for them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/ftrace.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/static_call.h>
#include <linux/wait_bit.h>

#include "config.h"
#include "hooks.h"
#include "readpath.h"

static const struct puma_hook_ops *puma_ops;

static atomic_t puma_hooks_inflight = ATOMIC_INIT(0);

static void puma_hook_enter(void)
{
	atomic_inc(&puma_hooks_inflight);
}

static void puma_hook_leave(void)
{
	if (atomic_dec_and_test(&puma_hooks_inflight))
		wake_up_var(&puma_hooks_inflight);
}

/* ---- symbol lookup ----------------------------------------------------- */

/*
 * Where the function containing @addr starts and ends, from kallsyms.
 */
static int puma_function_range(unsigned long addr, unsigned long *start,
			       unsigned long *end)
{
	char sym[KSYM_SYMBOL_LEN];
	unsigned long off, size;
	const char *plus;

	sprint_symbol(sym, addr);
	plus = strchr(sym, '+');
	if (!plus || sscanf(plus, "+%lx/%lx", &off, &size) != 2 || !size)
		return -ENOENT;
	*start = addr - off;
	*end = *start + size;
	return 0;
}

/*
 * Where function @name is: @addr, the address the kprobe core chose for a
 * probe on its entry, and whether that address is the function's
 * __fentry__ call (past ENDBR on IBT kernels; KPROBE_FLAG_FTRACE: the
 * core checked ftrace_location(addr) == addr).  kallsyms_lookup_name() is
 * not exported, and calling it through its address would fault on IBT
 * kernels (6.12 seals its ENDBR): a disabled kprobe resolves the name
 * instead, and nothing resolved here is ever called.
 */
static int puma_symbol_probe(const char *name, unsigned long *addr,
			     bool *at_fentry)
{
	struct kprobe kp = {
		.symbol_name = name,
		.flags = KPROBE_FLAG_DISABLED,
	};
	int ret;

	ret = register_kprobe(&kp);
	if (ret)
		return ret;
	*addr = (unsigned long)kp.addr;
	*at_fentry = kp.flags & KPROBE_FLAG_FTRACE;
	unregister_kprobe(&kp);
	return 0;
}

/* The start and end of function @name. */
static int puma_symbol_range(const char *name, unsigned long *start,
			     unsigned long *end)
{
	unsigned long addr;
	bool at_fentry;
	int ret;

	ret = puma_symbol_probe(name, &addr, &at_fentry);
	return ret ? ret : puma_function_range(addr, start, end);
}

/* ---- put or invalidate: who removes the folio -------------------------- */

/*
 * Functions from which __filemap_remove_folio() evicts a folio whose content
 * stays valid.  __remove_mapping() serves reclaim and mapping_evict_folio()
 * (drop_caches, fadvise DONTNEED); the others are listed in case the
 * compiler inlined it.  Every other caller (truncate_inode_folio(),
 * invalidate_complete_folio2(), __split_huge_page()) is on its way to a
 * content change.
 */
static const char * const puma_evict_callers[] = {
	"__remove_mapping", "remove_mapping", "shrink_folio_list",
};

static struct {
	unsigned long start, end;
} puma_evict_ranges[ARRAY_SIZE(puma_evict_callers)];

static bool puma_is_eviction(unsigned long parent_ip)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(puma_evict_ranges); i++)
		if (parent_ip >= puma_evict_ranges[i].start &&
		    parent_ip < puma_evict_ranges[i].end)
			return true;
	return false;
}

static int puma_resolve_evict_callers(void)
{
	unsigned int i, found = 0;

	for (i = 0; i < ARRAY_SIZE(puma_evict_callers); i++)
		if (!puma_symbol_range(puma_evict_callers[i],
				       &puma_evict_ranges[i].start,
				       &puma_evict_ranges[i].end))
			found++;
	if (!puma_evict_ranges[0].end) {
		pr_err("cannot find __remove_mapping: unsupported kernel\n");
		return -ENOENT;
	}
	return found ? 0 : -ENOENT;
}

/*
 * Two functions whose calls the read side recognises by return address:
 * page_cache_ra_order() (its order-0 fallback is already fetched for) and
 * filemap_fault() (its misses are fetched for or read around).
 */
static struct {
	unsigned long start, end;
} puma_ra_order_range, puma_fault_range;

/*
 * page_cache_ra_order() is not exported.  Its wrapper reaches the original
 * through a static call, which the kernel patches into a direct jump: an
 * indirect call would land on a function whose ENDBR 6.12 sealed (IBT).
 * Until the address is known, a call reads the window as the original's
 * own fallback would, in order-0 folios.
 */
static void puma_ra_order_fallback(struct readahead_control *ractl,
				   struct file_ra_state *ra,
				   unsigned int new_order)
{
	unsigned long nr = puma_ra_clip(readahead_index(ractl), ra->size,
					i_size_read(ractl->mapping->host));

	if (nr)
		page_cache_ra_unbounded(ractl, nr, min(ra->async_size, nr));
}

DEFINE_STATIC_CALL(puma_ra_order_orig, puma_ra_order_fallback);

static int puma_resolve_read_callers(void)
{
	void (*orig)(struct readahead_control *ractl, struct file_ra_state *ra,
		     unsigned int new_order);
	int ret;

	ret = puma_symbol_range("page_cache_ra_order",
				&puma_ra_order_range.start,
				&puma_ra_order_range.end);
	if (!ret)
		ret = puma_symbol_range("filemap_fault",
					&puma_fault_range.start,
					&puma_fault_range.end);
	if (ret) {
		pr_err("cannot find the readahead and fault paths: %d\n", ret);
		return ret;
	}
	orig = (void *)puma_ra_order_range.start;
	static_call_update(puma_ra_order_orig, orig);
	return 0;
}

static bool puma_regular_file(const struct address_space *mapping)
{
	return mapping && mapping->host && S_ISREG(mapping->host->i_mode);
}

static void puma_invalidate_mapping(struct address_space *mapping)
{
	if (puma_regular_file(mapping))
		puma_ops->invalidate_inode(mapping);
}

/*
 * Observers: called by the ftrace callback at the observed function's
 * entry, with its arguments in @regs.  Preemption is off: no sleeping.
 */

/* Observer of __filemap_remove_folio(struct folio *folio, void *shadow). */
static void puma_observe_remove_folio(const struct pt_regs *regs,
				      unsigned long parent_ip)
{
	struct folio *folio = (struct folio *)regs->di;

	if (!puma_regular_file(folio->mapping))
		return;
	if (!puma_is_eviction(parent_ip))
		puma_ops->invalidate_page(folio);
	else if (puma_is_enabled())
		puma_ops->put(folio);
}

/*
 * Observer of kiocb_invalidate_post_direct_write(struct kiocb *iocb,
 * size_t count), which runs once a direct-I/O write has landed.  It
 * invalidates the page cache again, but only when the file has pages
 * cached: a page read, evicted and put while the write was in flight
 * would keep the old content remotely.  PUMA invalidates the file every
 * time.  (Not exported on 6.1 or 6.12, hence an observer and not a
 * wrapper; the operation runs here with preemption off.)
 */
static void puma_observe_post_direct_write(const struct pt_regs *regs,
					   unsigned long parent_ip)
{
	struct kiocb *iocb = (struct kiocb *)regs->di;

	puma_invalidate_mapping(iocb->ki_filp->f_mapping);
}

/*
 * Observer of filemap_read_folio(struct file *file, filler_t filler,
 * struct folio *folio), static in mm/filemap.c: a miss read from disk
 * outside readahead.  Those from filemap_fault() were fetched for by its
 * wrapper first (or read around); the others (read_cache_folio() and its
 * users, a folio readahead left not uptodate) were seen by no get.
 */
static void puma_observe_read_folio(const struct pt_regs *regs,
				    unsigned long parent_ip)
{
	struct folio *folio = (struct folio *)regs->dx;

	if (parent_ip >= puma_fault_range.start &&
	    parent_ip < puma_fault_range.end)
		return;
	if (puma_regular_file(folio->mapping) && puma_is_enabled())
		puma_ops->read_unseen(folio);
}

/* ---- which calls to redirect ------------------------------------------ */

/*
 * Asked by the ftrace callback, at the hooked function's entry, with the
 * function's arguments in @regs.  Preemption is off: no sleeping, no lock
 * that may be held across I/O.  A call answered false runs the original
 * in place and never enters this module.
 *
 * A call that started before its filesystem's type was opted in is not
 * seen by a pool created while it runs: see "Operations in progress when
 * a pool is created" in the admin guide.
 */
static bool puma_mapping_pooled(const struct address_space *mapping)
{
	return puma_regular_file(mapping) &&
	       puma_ops->has_pool(mapping->host->i_sb);
}

/*
 * truncate_inode_pages_range(), invalidate_inode_pages2_range(): also
 * when the type is opted in but the pool is not there yet (the scan after
 * the module loads or the list is written has not reached it), so that
 * the pool about to be created still gets the invalidation at the end.
 */
static bool puma_want_mapping(const struct pt_regs *regs,
			      unsigned long parent_ip)
{
	const struct address_space *mapping = (const void *)regs->di;

	return puma_regular_file(mapping) &&
	       (puma_ops->has_pool(mapping->host->i_sb) ||
		puma_config_fs_opted_in(mapping->host->i_sb));
}

/*
 * Folios of the size a get inserts (order 0) are allowed in @mapping.
 * 6.12 lets a filesystem ask for a minimum folio order (block size larger
 * than the page size); 6.1 has none (Kbuild finds out which).
 */
static bool puma_mapping_order0(struct address_space *mapping)
{
#ifdef PUMA_HAVE_MIN_FOLIO_ORDER
	return !mapping_min_folio_order(mapping);
#else
	return true;
#endif
}

/*
 * page_cache_ra_order(): the wrapper only gets, and only if enabled.
 * Its order-0 fallback, page_cache_ra_unbounded(), is fetched for already.
 */
static bool puma_want_readahead(const struct pt_regs *regs,
				unsigned long parent_ip)
{
	struct readahead_control *ractl = (void *)regs->di;

	return puma_is_enabled() && puma_mapping_pooled(ractl->mapping) &&
	       puma_mapping_order0(ractl->mapping);
}

/* page_cache_ra_unbounded(): the same, unless page_cache_ra_order() calls. */
static bool puma_want_ra_unbounded(const struct pt_regs *regs,
				   unsigned long parent_ip)
{
	if (parent_ip >= puma_ra_order_range.start &&
	    parent_ip < puma_ra_order_range.end)
		return false;
	return puma_want_readahead(regs, parent_ip);
}

/*
 * filemap_fault(): a miss that the fault will not read around, so that no
 * readahead hook would see it (puma_fault_reads_around()).
 */
static bool puma_want_fault(const struct pt_regs *regs,
			    unsigned long parent_ip)
{
	const struct vm_fault *vmf = (const void *)regs->di;
	const struct vm_area_struct *vma = vmf->vma;
	struct file *file = vma->vm_file;
	struct address_space *mapping;
	bool huge_ra = false;
	void *entry;

	if (!puma_is_enabled() || !file)
		return false;
	mapping = file->f_mapping;
	if (!puma_mapping_pooled(mapping) || !puma_mapping_order0(mapping))
		return false;
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
	huge_ra = (vma->vm_flags & VM_HUGEPAGE) &&
		  HPAGE_PMD_ORDER <= MAX_PAGECACHE_ORDER;
#endif
	if (puma_fault_reads_around(huge_ra, vma->vm_flags & VM_RAND_READ,
				    vma->vm_flags & VM_SEQ_READ,
				    READ_ONCE(file->f_ra.ra_pages),
				    READ_ONCE(file->f_ra.mmap_miss)))
		return false;
	entry = xa_load(&mapping->i_pages, vmf->pgoff);
	return !entry || xa_is_value(entry);
}

/* generic_shutdown_super() */
static bool puma_want_sb(const struct pt_regs *regs,
			 unsigned long parent_ip)
{
	return puma_ops->has_pool((const struct super_block *)regs->di);
}

/*
 * vfs_get_tree(): the superblock does not exist yet, its type does.  A
 * mount that began before its type was opted in gets no pool unless the
 * scan after the write to the list finds it: PUMA then ignores that
 * filesystem, which is safe.
 */
static bool puma_want_mount(const struct pt_regs *regs,
			    unsigned long parent_ip)
{
	const struct fs_context *fc = (const void *)regs->di;

	return puma_config_type_opted_in(fc->fs_type->name);
}

/* ---- wrappers ---------------------------------------------------------- */

static void puma_wrap_ra_unbounded(struct readahead_control *ractl,
				   unsigned long nr_to_read,
				   unsigned long lookahead_size)
{
	puma_hook_enter();
	if (puma_is_enabled() && puma_regular_file(ractl->mapping))
		puma_ops->get(ractl, nr_to_read, lookahead_size);
	page_cache_ra_unbounded(ractl, nr_to_read, lookahead_size);
	puma_hook_leave();
}

/*
 * The window of @ra from @ractl's index: fetched first.  When the window
 * is all missing still (nothing came back), the original reads it, in
 * large folios where the mapping has them.  When some of it is in the page
 * cache (pages that came back, or were there), the rest is read as
 * page_cache_ra_order()'s own fallback reads a window with pages cached
 * already, by page_cache_ra_unbounded(), but over exactly the window: the
 * fallback would read ra->size pages from where the large folios stopped,
 * past the window and past what was fetched for.
 */
static void puma_wrap_ra_order(struct readahead_control *ractl,
			       struct file_ra_state *ra,
			       unsigned int new_order)
{
	puma_hook_enter();
	if (puma_is_enabled() && puma_regular_file(ractl->mapping) &&
	    puma_ops->get(ractl, ra->size, ra->async_size))
		puma_ra_order_fallback(ractl, ra, new_order);
	else
		static_call(puma_ra_order_orig)(ractl, ra, new_order);
	puma_hook_leave();
}

/* The fault's lock on the address space: mmap_lock, or the VMA's on 6.12. */
static void puma_release_fault_lock(struct vm_fault *vmf)
{
#ifdef PUMA_HAVE_RELEASE_FAULT_LOCK
	release_fault_lock(vmf);
#else
	mmap_read_unlock(vmf->vma->vm_mm);
#endif
}

/*
 * A fault that reads no window: the page is fetched before the original
 * looks for it.  As filemap_fault() does before it reads from disk, the
 * fault's lock is dropped first when the fault may be retried, and the
 * fault is retried (VM_FAULT_RETRY): it then finds the page cached, or
 * reads it from disk itself.  A fault that may not drop its lock, or its
 * retry, is not fetched for: nobody waits on the network behind a lock
 * that mmap() or munmap() of the process may be queued on.
 *
 * A hit makes the retry find the page, which counts as an mmap hit and
 * lowers the file's mmap_miss, where the disk read would have raised it:
 * the count is raised by two to keep the kernel's read-around decision
 * what it would have been.
 */
static vm_fault_t puma_wrap_filemap_fault(struct vm_fault *vmf)
{
	struct file *file = vmf->vma->vm_file;
	unsigned int miss;
	vm_fault_t ret;

	puma_hook_enter();
	if (puma_is_enabled() && puma_regular_file(file->f_mapping) &&
	    fault_flag_allow_retry_first(vmf->flags) &&
	    !(vmf->flags & FAULT_FLAG_RETRY_NOWAIT)) {
		DEFINE_READAHEAD(ractl, file, &file->f_ra, file->f_mapping,
				 vmf->pgoff);

		get_file(file);
		puma_release_fault_lock(vmf);
		if (puma_ops->get_fault(&ractl)) {
			miss = READ_ONCE(file->f_ra.mmap_miss);
			WRITE_ONCE(file->f_ra.mmap_miss,
				   min(miss + 2, PUMA_MMAP_LOTSAMISS * 10));
		}
		fput(file);
		ret = VM_FAULT_MAJOR | VM_FAULT_RETRY;
	} else {
		ret = filemap_fault(vmf);
	}
	puma_hook_leave();
	return ret;
}

/*
 * Both before and after: a folio evicted by reclaim while the truncate
 * runs would otherwise leave an old copy behind, as cleancache knew.
 */
static void puma_wrap_truncate_range(struct address_space *mapping,
				     loff_t lstart, loff_t lend)
{
	puma_hook_enter();
	puma_invalidate_mapping(mapping);
	truncate_inode_pages_range(mapping, lstart, lend);
	puma_invalidate_mapping(mapping);
	puma_hook_leave();
}

static int puma_wrap_invalidate2_range(struct address_space *mapping,
				       pgoff_t start, pgoff_t end)
{
	int ret;

	puma_hook_enter();
	puma_invalidate_mapping(mapping);
	ret = invalidate_inode_pages2_range(mapping, start, end);
	puma_invalidate_mapping(mapping);
	puma_hook_leave();
	return ret;
}

static void puma_wrap_shutdown_super(struct super_block *sb)
{
	puma_hook_enter();
	generic_shutdown_super(sb);
	puma_ops->invalidate_fs(sb);
	puma_hook_leave();
}

static int puma_wrap_vfs_get_tree(struct fs_context *fc)
{
	int ret;

	puma_hook_enter();
	ret = vfs_get_tree(fc);
	if (!ret)
		puma_ops->init_fs(fc->root->d_sb);
	puma_hook_leave();
	return ret;
}

/* ---- registration ------------------------------------------------------ */

/**
 * struct puma_hook - one attachment point
 * @name: the kernel function
 * @wrapper: the function that replaces it, or NULL for an observer
 * @observe: the observer, when @wrapper is NULL: called with the
 *	function's arguments in @regs, from @parent_ip
 * @want: with @wrapper: whether this call, from @parent_ip, is redirected
 *	to it
 * @ops: the ftrace ops
 * @registered: @ops is registered
 */
struct puma_hook {
	const char *name;
	void *wrapper;
	void (*observe)(const struct pt_regs *regs, unsigned long parent_ip);
	bool (*want)(const struct pt_regs *regs, unsigned long parent_ip);
	struct ftrace_ops ops;
	bool registered;
};

/*
 * The ftrace callback of every hook, at the hooked function's entry: an
 * observer is called with the function's arguments; a call to a wrapped
 * function is redirected to the wrapper, unless it is the wrapper's own
 * call of the original or one PUMA ignores.
 */
static void notrace puma_hook_entry(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *op,
				    struct ftrace_regs *fregs)
{
	struct puma_hook *hook = container_of(op, struct puma_hook, ops);
	struct pt_regs *regs = ftrace_get_regs(fregs);

	/* SAVE_REGS guarantees them: a skip would miss an invalidation. */
	if (WARN_ON_ONCE(!regs))
		return;
	if (!hook->wrapper) {
		hook->observe(regs, parent_ip);
		return;
	}
	if (within_module(parent_ip, THIS_MODULE) ||
	    !hook->want(regs, parent_ip))
		return;
	regs->ip = (unsigned long)hook->wrapper;
}

/* In registration order: invalidations first, so none is missed. */
static struct puma_hook puma_hooks[] = {
	{ "truncate_inode_pages_range", puma_wrap_truncate_range, NULL,
	  puma_want_mapping },
	{ "invalidate_inode_pages2_range", puma_wrap_invalidate2_range, NULL,
	  puma_want_mapping },
	{ "kiocb_invalidate_post_direct_write", NULL,
	  puma_observe_post_direct_write },
	{ "generic_shutdown_super", puma_wrap_shutdown_super, NULL,
	  puma_want_sb },
	{ "__filemap_remove_folio", NULL, puma_observe_remove_folio },
	{ "page_cache_ra_unbounded", puma_wrap_ra_unbounded, NULL,
	  puma_want_ra_unbounded },
	{ "page_cache_ra_order", puma_wrap_ra_order, NULL,
	  puma_want_readahead },
	{ "filemap_fault", puma_wrap_filemap_fault, NULL, puma_want_fault },
	{ "filemap_read_folio", NULL, puma_observe_read_folio },
	{ "vfs_get_tree", puma_wrap_vfs_get_tree, NULL, puma_want_mount },
};

/*
 * Trace exactly @hook->name.  By address: ftrace_set_filter() with a name
 * compares it with every traceable function of the kernel, which takes
 * over a second per hook under emulation (ten seconds of insmod on a 6.12
 * TCG guest); ftrace_set_filter_ip() with the function's exact ftrace call
 * site finds its record directly.  (Not with the function's start: from
 * there ftrace_location() searches the function's kallsyms size, and could
 * land on the disabled record of an overridden __weak body.)  By name when
 * the call site cannot be resolved.
 */
static int puma_hook_filter(struct puma_hook *hook)
{
	unsigned long ip;
	bool at_fentry;

	if (!puma_symbol_probe(hook->name, &ip, &at_fentry) && at_fentry)
		return ftrace_set_filter_ip(&hook->ops, ip, 0, 0);
	return ftrace_set_filter(&hook->ops, (unsigned char *)hook->name,
				 strlen(hook->name), 0);
}

static int puma_hook_register(struct puma_hook *hook)
{
	int ret;

	/*
	 * PERMANENT: sysctl kernel.ftrace_enabled=0 would otherwise silently
	 * detach the invalidation hooks while remote copies stay.
	 */
	hook->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_RECURSION |
			  FTRACE_OPS_FL_PERMANENT;
	hook->ops.func = puma_hook_entry;
	if (hook->wrapper)
		hook->ops.flags |= FTRACE_OPS_FL_IPMODIFY;
	ret = puma_hook_filter(hook);
	if (ret) {
		pr_err("cannot trace %s: %d\n", hook->name, ret);
		return ret;
	}
	ret = register_ftrace_function(&hook->ops);
	if (ret) {
		pr_err("cannot hook %s: %d\n", hook->name, ret);
		ftrace_free_filter(&hook->ops);
		return ret;
	}
	hook->registered = true;
	return 0;
}

static void puma_hooks_unregister(void)
{
	int i;

	for (i = ARRAY_SIZE(puma_hooks) - 1; i >= 0; i--) {
		struct puma_hook *hook = &puma_hooks[i];

		if (!hook->registered)
			continue;
		if (unregister_ftrace_function(&hook->ops))
			pr_err("cannot unhook %s\n", hook->name);
		ftrace_free_filter(&hook->ops);
		hook->registered = false;
	}
	synchronize_rcu_tasks();
	wait_var_event(&puma_hooks_inflight,
		       !atomic_read(&puma_hooks_inflight));
	synchronize_rcu_tasks();
}

/**
 * puma_hooks_init() - attach @ops to the page cache
 * @ops: the operations; every member must be set
 *
 * Context: process, may sleep.
 * Return: 0, or a negative errno when the running kernel lacks a hook
 * point (nothing stays attached then).
 */
int puma_hooks_init(const struct puma_hook_ops *ops)
{
	unsigned int i;
	int ret;

	puma_ops = ops;
	ret = puma_resolve_evict_callers();
	if (!ret)
		ret = puma_resolve_read_callers();
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(puma_hooks); i++) {
		ret = puma_hook_register(&puma_hooks[i]);
		if (ret) {
			puma_hooks_unregister();
			return ret;
		}
	}
	return 0;
}

/**
 * puma_hooks_exit() - detach; returns when no operation can run any more
 *
 * Context: process, may sleep (until in-flight truncates, readaheads and
 * unmounts that entered a wrapper have left it).
 */
void puma_hooks_exit(void)
{
	puma_hooks_unregister();
}
