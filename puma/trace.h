/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PUMA's tracepoints (events/puma in tracefs): one event per get, on each
 * end, so that a benchmark can take per-request samples of where a get's
 * time goes, which the histogram in sysfs is too coarse for.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM puma

#if !defined(_PUMA_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PUMA_TRACE_H

#include <linux/tracepoint.h>

/*
 * puma_get_done: a GET answered, on the borrower.  send_us: the send
 * (the wait for the connection's turn included, to the last byte handed
 * to TCP; 0 when the event was enabled after the send);
 * answer_us: from the start of the send to the answer's arrival in the get
 * channel's receive thread; rtt_us: to the requester's wake-up.
 */
TRACE_EVENT(puma_get_done,
	    TP_PROTO(u8 lender, u64 id, unsigned int pages, unsigned int hits,
		     u64 send_ns, u64 answer_ns, u64 rtt_ns),
	    TP_ARGS(lender, id, pages, hits, send_ns, answer_ns, rtt_ns),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u64, send_us)
			     __field(u64, answer_us)
			     __field(u64, rtt_us)
			     __field(unsigned int, pages)
			     __field(unsigned int, hits)
			     __field(u8, lender)),
	    TP_fast_assign(__entry->id = id;
			   __entry->send_us = div_u64(send_ns, NSEC_PER_USEC);
			   __entry->answer_us = div_u64(answer_ns, NSEC_PER_USEC);
			   __entry->rtt_us = div_u64(rtt_ns, NSEC_PER_USEC);
			   __entry->pages = pages;
			   __entry->hits = hits;
			   __entry->lender = lender;),
	    TP_printk("lender=%u id=%llu pages=%u hits=%u send_us=%llu answer_us=%llu rtt_us=%llu",
		      __entry->lender, __entry->id, __entry->pages,
		      __entry->hits, __entry->send_us, __entry->answer_us,
		      __entry->rtt_us)
);

/*
 * puma_lender_get: a GET answered, on the lender.  store_us: looking up
 * and copying the pages; send_us: sending the GET_RESP.
 */
TRACE_EVENT(puma_lender_get,
	    TP_PROTO(u64 id, unsigned int pages, unsigned int hits,
		     u64 store_ns, u64 send_ns),
	    TP_ARGS(id, pages, hits, store_ns, send_ns),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u64, store_us)
			     __field(u64, send_us)
			     __field(unsigned int, pages)
			     __field(unsigned int, hits)),
	    TP_fast_assign(__entry->id = id;
			   __entry->store_us = div_u64(store_ns, NSEC_PER_USEC);
			   __entry->send_us = div_u64(send_ns, NSEC_PER_USEC);
			   __entry->pages = pages;
			   __entry->hits = hits;),
	    TP_printk("id=%llu pages=%u hits=%u store_us=%llu send_us=%llu",
		      __entry->id, __entry->pages, __entry->hits,
		      __entry->store_us, __entry->send_us)
);

#endif /* _PUMA_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
