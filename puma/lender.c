// SPDX-License-Identifier: GPL-2.0
/*
 * The lender side: a TCP listener and the borrowers connected to it.
 *
 * An accept thread takes connections; each gets a receive thread (conn.c)
 * whose first message must be a HELLO within PUMA_CONNECT_TIMEOUT_MS.  A
 * borrower opens two connections, one per channel, with one session id;
 * both use the session's page store (store.c), which the HELLO takes.
 * The peers report lists one entry per session.
 *
 * Neither a node id nor a session id is a secret, so neither may end or
 * join a session (puma_lender_session()): the HELLO_ACK of a session's
 * first connection hands the borrower a random secret, and a HELLO for a
 * session that lives must prove it (protocol.rst, "Sessions").  A HELLO
 * without proof for a node id that has a live session is refused too: a
 * session ends only when its connections do (a BYE, the borrower's module
 * unloading and closing its sockets, TCP keepalive giving up), and its
 * store's pages go with the last of them.
 *
 * Caps (the lender's memory is bounded whatever its borrowers do): the
 * store caps pages (max-memory, all sessions together and each on its
 * own), files per session, sessions, and connections per session, and
 * the handshake answers PUMA_HELLO_BUSY to a HELLO it refuses; the accept
 * thread closes at once a connection beyond PUMA_LENDER_MAX_PENDING
 * handshakes or beyond two connections per session plus those; and once
 * a second it closes the connections of every session that received no
 * message on any of them for the idle timeout.  A paired borrower pings
 * on its get channel every second, so its idle put channel stays.
 *
 * The put channel stores pages (PUT, answered by a PUT_ACK that says which
 * were kept; refusals are counted by the store) and drops them
 * (INVALIDATE_*), in order.  The get
 * channel answers each GET with a GET_RESP built in a buffer of its own:
 * hit pages are copied from the store straight behind the header, and
 * dropped once copied when the GET asks for exclusive caching and that
 * feature was negotiated.
 *
 * Locking: puma_lender_mutex guards puma_lender, its borrower list and
 * each connection's @node_id, @session and @store once set.  The receive
 * threads use their own connection's store without it and may sleep.  A
 * connection that ends (its receive thread calls puma_lender_closed())
 * is unlinked and destroyed by a work item, since a thread cannot stop
 * itself; the work then puts its store reference.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <net/sock.h>
#include <crypto/algapi.h>

#include <linux/puma.h>

#include "conn.h"
#include "peer.h"
#include "pool.h"
#include "stats.h"
#include "store.h"
#include "trace.h"

/**
 * struct puma_borrower_conn - one connection of a borrower
 * @node: in puma_lender.borrowers
 * @lender: the lender it belongs to
 * @conn: the connection
 * @node_id: the borrower's node id, once it said HELLO
 * @session: the borrower's session id, once it said HELLO
 * @store: the session's store, once it said HELLO; put by @reap
 * @secret: the session's secret, once it said HELLO: a HELLO joins the
 *	session only with a proof of it
 * @tx_buf: the get channel's GET_RESP buffer, PUMA_PROTO_MAX_MSG bytes
 * @last_rx: jiffies of the last message received, written by the
 *	receive thread, read by the idle scan without a lock
 * @idle_closed: the idle scan shut it down, under puma_lender_mutex
 * @reap: unlinks and frees this once the connection ended
 */
struct puma_borrower_conn {
	struct list_head node;
	struct puma_lender *lender;
	struct puma_conn *conn;
	u64 node_id;
	u64 session;
	struct puma_store *store;
	u8 secret[PUMA_PROTO_AUTH_LEN];
	void *tx_buf;
	unsigned long last_rx;
	bool idle_closed;
	struct work_struct reap;
};

/**
 * struct puma_lender - this node's lender state while it lends
 * @listen: the listening socket
 * @accept_thread: takes new connections
 * @addr: where it listens
 * @max_memory: bytes it lends at most, all borrowers together
 * @borrowers: struct puma_borrower_conn, one per connection
 * @nr_conns: connections in @borrowers
 * @next_scan: jiffies of the next idle scan, accept thread only
 * @reap_wq: where ended connections are freed
 */
struct puma_lender {
	struct socket *listen;
	struct task_struct *accept_thread;
	struct sockaddr_in addr;
	u64 max_memory;
	struct list_head borrowers;
	unsigned int nr_conns;
	unsigned long next_scan;
	struct workqueue_struct *reap_wq;
};

static DEFINE_MUTEX(puma_lender_mutex);
static struct puma_lender *puma_lender;
static unsigned int puma_lender_idle_s = PUMA_LENDER_IDLE_S_DEFAULT;

static const struct puma_hello puma_lender_hello = {
	.version = PUMA_PROTO_VERSION,
	.page_size = PAGE_SIZE,
	.max_batch = PUMA_PROTO_MAX_BATCH,
	.features = PUMA_FEAT_EXCLUSIVE,
};

/* Why a HELLO was refused with PUMA_HELLO_DENIED, for the log. */
static const char *puma_lender_denied_why(enum puma_stat denied)
{
	switch (denied) {
	case PUMA_STAT_LENDER_HELLO_DENIED_LIVE:
		return "a new session while its node has a live one";
	case PUMA_STAT_LENDER_HELLO_DENIED_NO_PROOF:
		return "a live session without proof";
	case PUMA_STAT_LENDER_HELLO_DENIED_BAD_PROOF:
		return "a live session with a wrong proof";
	case PUMA_STAT_LENDER_HELLO_DENIED_UNKNOWN:
		return "a proof for no live session";
	default:
		return "a channel its session already has";
	}
}

/*
 * A connection that said HELLO and has not ended: a session lives while
 * one of its connections does.  Called with puma_lender_mutex held.
 */
static bool puma_lender_live(const struct puma_borrower_conn *bc)
{
	return bc->store && !READ_ONCE(bc->conn->error);
}

/*
 * Which session @hello belongs to, and whether it may join it.  A HELLO
 * without proof (auth zero) opens a new session, unless its node id or its
 * session already lives here: a node id is no secret and a session id
 * travels in clear, so neither ends nor joins a session.  A HELLO with a
 * proof joins the live session it names if the proof is that session's
 * secret's (compared in constant time) and the session lacks its channel.
 * A session ends only with its connections (the borrower closes them: a
 * BYE, a module unload; or TCP keepalive gives up on a silent peer).
 *
 * Return: NULL and 0 for a new session; a connection of the live session
 * to join and 0; or NULL and the PUMA_STAT_LENDER_HELLO_DENIED_* counter of
 * the refusal.  Called with puma_lender_mutex held.
 */
static struct puma_borrower_conn *
puma_lender_session(struct puma_lender *lender, const struct puma_hello *hello,
		    enum puma_stat *denied)
{
	struct puma_borrower_conn *other, *first = NULL;
	bool node_live = false, has_channel = false;
	u8 proof[PUMA_PROTO_AUTH_LEN];
	bool proved;

	*denied = 0;
	list_for_each_entry(other, &lender->borrowers, node) {
		if (!puma_lender_live(other) || other->node_id != hello->node_id)
			continue;
		node_live = true;
		if (other->session != hello->session)
			continue;
		first = first ?: other;
		if (other->conn->params.channel == hello->channel)
			has_channel = true;
	}
	if (!puma_proto_auth_set(hello->auth)) {
		if (first)
			*denied = PUMA_STAT_LENDER_HELLO_DENIED_NO_PROOF;
		else if (node_live)
			*denied = PUMA_STAT_LENDER_HELLO_DENIED_LIVE;
		return NULL;
	}
	if (!first) {
		*denied = PUMA_STAT_LENDER_HELLO_DENIED_UNKNOWN;
		return NULL;
	}
	puma_proto_hello_proof(first->secret, hello, proof);
	proved = !crypto_memneq(proof, hello->auth, sizeof(proof));
	memzero_explicit(proof, sizeof(proof));
	if (!proved)
		*denied = PUMA_STAT_LENDER_HELLO_DENIED_BAD_PROOF;
	else if (has_channel)
		*denied = PUMA_STAT_LENDER_HELLO_DENIED_CHANNEL;
	return *denied ? NULL : first;
}

/*
 * Decide @msg's session and take its store.  A session's first connection
 * draws the session's secret, which the HELLO_ACK (@ack) carries; a
 * connection that joins copies it.  @bc is registered before its HELLO_ACK
 * is sent, so that the session's next HELLO finds it.
 *
 * Return: 0; -ECONNREFUSED with @ack->status PUMA_HELLO_DENIED; -ENOMEM.
 */
static int puma_lender_join(struct puma_borrower_conn *bc,
			    const struct puma_hello *hello,
			    struct puma_hello *ack)
{
	struct puma_borrower_conn *first;
	struct puma_store *store;
	enum puma_stat denied;
	int ret = 0;

	mutex_lock(&puma_lender_mutex);
	first = puma_lender_session(bc->lender, hello, &denied);
	if (denied) {
		puma_stats_inc(&puma_global_stats, denied);
		pr_warn_ratelimited("%pI4:%u: HELLO of node %016llx refused: %s\n",
				    &bc->conn->peer.sin_addr,
				    ntohs(bc->conn->peer.sin_port),
				    hello->node_id,
				    puma_lender_denied_why(denied));
		ack->status = PUMA_HELLO_DENIED;
		ret = -ECONNREFUSED;
		goto out;
	}
	store = puma_store_get(hello->node_id, hello->session,
			       bc->lender->max_memory >> PAGE_SHIFT);
	if (!store) {
		ret = -ENOMEM;
		goto out;
	}
	if (first) {
		memcpy(bc->secret, first->secret, sizeof(bc->secret));
	} else {
		do {
			get_random_bytes(bc->secret, sizeof(bc->secret));
		} while (!puma_proto_auth_set(bc->secret));
		memcpy(ack->auth, bc->secret, sizeof(ack->auth));
	}
	bc->node_id = hello->node_id;
	bc->session = hello->session;
	bc->conn->params.channel = hello->channel;
	bc->store = store;
out:
	mutex_unlock(&puma_lender_mutex);
	return ret;
}

static int puma_lender_handshake(struct puma_conn *conn,
				 const struct puma_msg *msg)
{
	struct puma_borrower_conn *bc = conn->owner;
	struct puma_hello local = puma_lender_hello;
	struct puma_msg ack = { .type = PUMA_MSG_HELLO_ACK };
	struct puma_proto_params params;
	void *tx_buf = NULL;
	int ret, sent;

	local.node_id = puma_node_id;
	ret = puma_proto_accept(&local, &msg->hello, &ack.hello, &params);
	if (!ret && params.channel == PUMA_CHAN_GET) {
		tx_buf = kvmalloc(PUMA_PROTO_MAX_MSG, GFP_KERNEL);
		if (!tx_buf)
			ret = -ENOMEM;
	}
	if (!ret)
		ret = puma_lender_join(bc, &msg->hello, &ack.hello);
	if (ret == -ENOMEM)
		ack.hello.status = PUMA_HELLO_BUSY;
	sent = puma_conn_send_msg(conn, &ack);
	memzero_explicit(ack.hello.auth, sizeof(ack.hello.auth));
	if (!ret)
		ret = sent;
	if (ret) {
		/* A store taken is put by the reap work. */
		kvfree(tx_buf);
		return ret;
	}
	conn->params = params;
	bc->tx_buf = tx_buf;
	/* Liveness is the borrower's pings and TCP keepalive from now on. */
	puma_conn_set_timeout(conn, PUMA_SEND_TIMEOUT_MS);
	puma_conn_set_rx_timeout(conn, 0);
	return 0;
}

/*
 * Keep the pages of a PUT and acknowledge it with a PUT_ACK that says, page
 * by page, what was kept.  The borrower asks for a page only once it is
 * acknowledged: a GET on the other connection can then never overtake the
 * PUT it depends on, and a refused page is forgotten at once.
 */
static int puma_lender_put(struct puma_borrower_conn *bc,
			   const struct puma_msg *msg)
{
	u8 buf[PUMA_PROTO_HDR_LEN + sizeof(struct puma_wire_batch) +
	       PUMA_PROTO_MAX_BATCH];
	u32 page_size = bc->conn->params.page_size;
	u8 status[PUMA_PROTO_MAX_BATCH];
	struct puma_batch ack = {
		.type = PUMA_MSG_PUT_ACK,
		.id = msg->id,
		.count = msg->batch.count,
		.status = status,
	};
	struct puma_key key;
	unsigned int i;
	int len;

	for (i = 0; i < msg->batch.count; i++) {
		puma_msg_key(msg, i, &key);
		/* Refusals are counted by the store. */
		status[i] = puma_store_put_page(bc->store, &key,
						puma_msg_page(msg, i,
							      page_size)) ?
			    PUMA_PUT_REFUSED : PUMA_PUT_STORED;
	}
	len = puma_proto_batch(buf, sizeof(buf), &ack);
	if (WARN_ON_ONCE(len < 0))
		return len;
	return puma_conn_send(bc->conn, buf, len);
}

/*
 * Answer a GET.  The GET_RESP is built in @bc->tx_buf: its header part
 * (whose size does not depend on the statuses) first, to know where the
 * pages go; each hit is copied there from the store; then the header part
 * again, with the statuses.  The page size is PAGE_SIZE: the handshake
 * accepts no other.
 */
static int puma_lender_get(struct puma_borrower_conn *bc,
			   const struct puma_msg *msg)
{
	struct puma_conn *conn = bc->conn;
	u8 status[PUMA_PROTO_MAX_BATCH];
	struct puma_batch resp = {
		.type = PUMA_MSG_GET_RESP,
		.id = msg->id,
		.count = msg->batch.count,
		.status = status,
		.page_size = conn->params.page_size,
	};
	bool exclusive = (msg->batch.flags & PUMA_GET_EXCLUSIVE) &&
			 (conn->params.features & PUMA_FEAT_EXCLUSIVE);
	unsigned int i, hits = 0;
	bool traced = trace_puma_lender_get_enabled();
	u64 start = traced ? ktime_get_ns() : 0, copied = 0;
	struct puma_key key;
	u8 *pages;
	int len, ret;

	memset(status, PUMA_GET_MISS, sizeof(status));
	len = puma_proto_batch(bc->tx_buf, PUMA_PROTO_MAX_MSG, &resp);
	if (len < 0)
		return len;
	pages = bc->tx_buf + len;
	for (i = 0; i < msg->batch.count; i++) {
		puma_msg_key(msg, i, &key);
		if (puma_store_get_page(bc->store, &key,
					pages + (size_t)hits * PAGE_SIZE,
					exclusive)) {
			status[i] = PUMA_GET_HIT;
			hits++;
		}
	}
	len = puma_proto_batch(bc->tx_buf, PUMA_PROTO_MAX_MSG, &resp);
	if (len < 0)
		return len;
	if (traced)
		copied = ktime_get_ns();
	ret = puma_conn_send(conn, bc->tx_buf, len + (size_t)hits * PAGE_SIZE);
	if (traced)
		trace_puma_lender_get(msg->id, msg->batch.count, hits,
				      copied - start, ktime_get_ns() - copied);
	return ret;
}

static void puma_lender_invalidate_pages(struct puma_borrower_conn *bc,
					 const struct puma_msg *msg)
{
	struct puma_key key;
	unsigned int i;

	for (i = 0; i < msg->batch.count; i++) {
		puma_msg_key(msg, i, &key);
		puma_store_drop_page(bc->store, &key);
	}
}

/*
 * puma_proto_header() lets through only what the connection's channel
 * carries, and nothing but HELLO and BYE before the handshake: PUT and
 * INVALIDATE_* come on a put channel, GET on a get channel, and both
 * have a store by then.
 */
static int puma_lender_handle(struct puma_conn *conn,
			      const struct puma_msg *msg)
{
	struct puma_borrower_conn *bc = conn->owner;

	/* Any message keeps the session from idling. */
	WRITE_ONCE(bc->last_rx, jiffies);
	switch (msg->type) {
	case PUMA_MSG_HELLO:
		return puma_lender_handshake(conn, msg);
	case PUMA_MSG_PING:
		return puma_conn_answer_ping(conn, msg);
	case PUMA_MSG_GET:
		if (!bc->tx_buf)
			return -EPROTO;
		return puma_lender_get(bc, msg);
	case PUMA_MSG_PUT:
		return puma_lender_put(bc, msg);
	case PUMA_MSG_INVALIDATE_PAGES:
		puma_lender_invalidate_pages(bc, msg);
		return 0;
	case PUMA_MSG_INVALIDATE_INODE:
		puma_store_drop_inode(bc->store, msg->inode.pool,
				      msg->inode.ino, msg->inode.gen);
		return 0;
	case PUMA_MSG_INVALIDATE_POOL:
		puma_store_drop_pool(bc->store, msg->pool);
		return 0;
	case PUMA_MSG_BYE:
		return -ESHUTDOWN;
	default:
		/* puma_proto_header() let through only what may come here. */
		return -EPROTO;
	}
}

static void puma_lender_reap(struct work_struct *work)
{
	struct puma_borrower_conn *bc =
		container_of(work, struct puma_borrower_conn, reap);

	mutex_lock(&puma_lender_mutex);
	list_del(&bc->node);
	bc->lender->nr_conns--;
	mutex_unlock(&puma_lender_mutex);
	puma_conn_destroy(bc->conn);
	/* The session's last connection takes its pages with it. */
	if (bc->store)
		puma_store_put(bc->store);
	kvfree(bc->tx_buf);
	kfree_sensitive(bc);
}

static void puma_lender_closed(struct puma_conn *conn)
{
	struct puma_borrower_conn *bc = conn->owner;

	queue_work(bc->lender->reap_wq, &bc->reap);
}

/*
 * Whether one more connection fits: fewer than PUMA_LENDER_MAX_PENDING
 * without a session yet, and fewer than two per session plus those in
 * all.  Called with puma_lender_mutex held.
 */
static bool puma_lender_conn_fits(struct puma_lender *lender)
{
	unsigned int max = 2 * puma_store_max_stores_get() +
			   PUMA_LENDER_MAX_PENDING;
	struct puma_borrower_conn *bc;
	unsigned int pending = 0;

	if (lender->nr_conns >= max)
		return false;
	list_for_each_entry(bc, &lender->borrowers, node) {
		if (!bc->store && !READ_ONCE(bc->conn->error))
			pending++;
	}
	return pending < PUMA_LENDER_MAX_PENDING;
}

/* Called with puma_lender_mutex held. */
static void puma_lender_add_conn(struct puma_lender *lender,
				 struct socket *sock)
{
	struct puma_borrower_conn *bc;
	struct puma_conn *conn;

	if (!puma_lender_conn_fits(lender)) {
		puma_stats_inc(&puma_global_stats,
			       PUMA_STAT_LENDER_CONNS_REFUSED);
		pr_warn_ratelimited("too many connections: refusing one\n");
		sock_release(sock);
		return;
	}
	conn = puma_conn_from_socket(sock);
	if (!conn)
		return;
	bc = kzalloc(sizeof(*bc), GFP_KERNEL);
	if (!bc) {
		puma_conn_destroy(conn);
		return;
	}
	bc->conn = conn;
	bc->lender = lender;
	bc->last_rx = jiffies;
	INIT_WORK(&bc->reap, puma_lender_reap);
	conn->owner = bc;
	conn->handle = puma_lender_handle;
	conn->closed = puma_lender_closed;
	conn->params.peer = PUMA_ROLE_BORROWER;
	/* A HELLO must come soon: no thread is held by a silent peer. */
	puma_conn_set_timeout(conn, PUMA_CONNECT_TIMEOUT_MS);
	if (puma_conn_start(conn, "puma-lend-rx")) {
		puma_conn_destroy(conn);
		kfree(bc);
		return;
	}
	list_add_tail(&bc->node, &lender->borrowers);
	lender->nr_conns++;
}

/*
 * Shut down the connections of every session none of whose connections
 * received a message for the idle timeout.  Connections without a
 * session have the handshake's receive timeout instead.  Called with
 * puma_lender_mutex held.
 */
static void puma_lender_close_idle(struct puma_lender *lender)
{
	unsigned long idle = READ_ONCE(puma_lender_idle_s) * HZ;
	struct puma_borrower_conn *bc, *p;
	unsigned long last;

	list_for_each_entry(bc, &lender->borrowers, node) {
		if (!bc->store || bc->idle_closed)
			continue;
		last = READ_ONCE(bc->last_rx);
		list_for_each_entry(p, &lender->borrowers, node) {
			if (p->store == bc->store &&
			    time_after(READ_ONCE(p->last_rx), last))
				last = READ_ONCE(p->last_rx);
		}
		if (time_before(jiffies, last + idle))
			continue;
		bc->idle_closed = true;
		puma_stats_inc(&puma_global_stats,
			       PUMA_STAT_LENDER_IDLE_CLOSED);
		pr_info_ratelimited("%pI4:%u idle for %u s: disconnecting\n",
				    &bc->conn->peer.sin_addr,
				    ntohs(bc->conn->peer.sin_port),
				    READ_ONCE(puma_lender_idle_s));
		puma_conn_shutdown(bc->conn);
	}
}

static int puma_lender_accept_thread(void *data)
{
	struct puma_lender *lender = data;
	struct socket *sock;
	int ret;

	while (!kthread_should_stop()) {
		if (time_after_eq(jiffies, lender->next_scan)) {
			lender->next_scan = jiffies + HZ;
			mutex_lock(&puma_lender_mutex);
			puma_lender_close_idle(lender);
			mutex_unlock(&puma_lender_mutex);
		}
		ret = kernel_accept(lender->listen, &sock, O_NONBLOCK);
		if (ret == -EAGAIN) {
			schedule_timeout_interruptible(HZ / 20);
			continue;
		}
		if (ret) {
			pr_warn_ratelimited("accept failed: %d\n", ret);
			schedule_timeout_interruptible(HZ / 10);
			continue;
		}
		mutex_lock(&puma_lender_mutex);
		puma_lender_add_conn(lender, sock);
		mutex_unlock(&puma_lender_mutex);
	}
	return 0;
}

static int puma_lender_listen(struct puma_lender *lender)
{
	struct socket *sock;
	int ret;

	ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &sock);
	if (ret)
		return ret;
	sock_set_reuseaddr(sock->sk);
	ret = kernel_bind(sock, (struct sockaddr *)&lender->addr,
			  sizeof(lender->addr));
	if (!ret)
		ret = kernel_listen(sock, 16);
	if (ret) {
		sock_release(sock);
		return ret;
	}
	lender->listen = sock;
	return 0;
}

/**
 * puma_lender_start() - start lending on @addr
 * @addr: IPv4 address and port to listen on
 * @max_memory: bytes to lend at most, all borrowers together; 0 for the
 *	default, a quarter of the node's memory
 * @extack: for error messages
 *
 * Context: process, may sleep.
 * Return: 0; -EALREADY when already lending; -ERANGE for @max_memory;
 * socket errors (-EADDRINUSE, -EADDRNOTAVAIL...).
 */
int puma_lender_start(const struct sockaddr_in *addr, u64 max_memory,
		      struct netlink_ext_ack *extack)
{
	struct puma_lender *lender;
	struct task_struct *t;
	int ret;

	if (max_memory && (max_memory < PUMA_MAX_MEMORY_MIN ||
			   max_memory > (u64)totalram_pages() << PAGE_SHIFT)) {
		NL_SET_ERR_MSG(extack, "max-memory out of range");
		return -ERANGE;
	}
	if (!max_memory)
		max_memory = ((u64)totalram_pages() / 4) << PAGE_SHIFT;
	lender = kzalloc(sizeof(*lender), GFP_KERNEL);
	if (!lender)
		return -ENOMEM;
	lender->addr = *addr;
	lender->max_memory = max_memory;
	lender->next_scan = jiffies;
	INIT_LIST_HEAD(&lender->borrowers);
	lender->reap_wq = alloc_workqueue("puma-lender", WQ_UNBOUND, 0);
	if (!lender->reap_wq) {
		kfree(lender);
		return -ENOMEM;
	}

	mutex_lock(&puma_lender_mutex);
	if (puma_lender) {
		NL_SET_ERR_MSG(extack, "already lending");
		ret = -EALREADY;
		goto err;
	}
	ret = puma_lender_listen(lender);
	if (ret) {
		NL_SET_ERR_MSG(extack, "cannot listen on that address");
		goto err;
	}
	t = kthread_run(puma_lender_accept_thread, lender, "puma-accept");
	if (IS_ERR(t)) {
		ret = PTR_ERR(t);
		sock_release(lender->listen);
		goto err;
	}
	get_task_struct(t);
	lender->accept_thread = t;
	puma_store_set_max_pages(max_memory >> PAGE_SHIFT);
	puma_lender = lender;
	mutex_unlock(&puma_lender_mutex);
	pr_info("lending on %pI4:%u\n", &addr->sin_addr, ntohs(addr->sin_port));
	return 0;
err:
	mutex_unlock(&puma_lender_mutex);
	destroy_workqueue(lender->reap_wq);
	kfree(lender);
	return ret;
}

/**
 * puma_lender_stop() - stop lending; every borrower is disconnected and
 * every page lent is dropped
 *
 * Context: process, may sleep.
 * Return: 0, or -ENOENT when not lending.
 */
int puma_lender_stop(void)
{
	struct puma_borrower_conn *bc;
	struct puma_lender *lender;

	mutex_lock(&puma_lender_mutex);
	lender = puma_lender;
	puma_lender = NULL;
	mutex_unlock(&puma_lender_mutex);
	if (!lender)
		return -ENOENT;

	kthread_stop(lender->accept_thread);
	put_task_struct(lender->accept_thread);
	sock_release(lender->listen);

	/* Each connection ends, then its reap work unlinks and frees it. */
	mutex_lock(&puma_lender_mutex);
	list_for_each_entry(bc, &lender->borrowers, node)
		puma_conn_shutdown(bc->conn);
	mutex_unlock(&puma_lender_mutex);
	for (;;) {
		flush_workqueue(lender->reap_wq);
		mutex_lock(&puma_lender_mutex);
		if (list_empty(&lender->borrowers)) {
			mutex_unlock(&puma_lender_mutex);
			break;
		}
		mutex_unlock(&puma_lender_mutex);
		schedule_timeout_uninterruptible(HZ / 50);
	}
	pr_info("stopped lending on %pI4:%u\n", &lender->addr.sin_addr,
		ntohs(lender->addr.sin_port));
	destroy_workqueue(lender->reap_wq);
	kfree(lender);
	return 0;
}

/**
 * puma_lender_address() - where this node lends, if it does
 * @addr: output
 * @max_memory: output
 *
 * Return: true while lending.
 */
bool puma_lender_address(struct sockaddr_in *addr, u64 *max_memory)
{
	bool ret = false;

	mutex_lock(&puma_lender_mutex);
	if (puma_lender) {
		*addr = puma_lender->addr;
		*max_memory = puma_lender->max_memory;
		ret = true;
	}
	mutex_unlock(&puma_lender_mutex);
	return ret;
}

/*
 * Whether @bc is reported with an earlier connection of its session.
 * Called with puma_lender_mutex held.
 */
static bool puma_lender_reported(struct puma_lender *lender,
				 struct puma_borrower_conn *bc)
{
	struct puma_borrower_conn *p;

	if (!bc->store)
		return false;
	list_for_each_entry(p, &lender->borrowers, node) {
		if (p == bc)
			return false;
		if (p->store == bc->store)
			return true;
	}
	return false;
}

/*
 * The report of @bc's session: @bc and the connections after it that
 * share its store, or @bc alone before its HELLO.  Connected while both
 * channels are.  Called with puma_lender_mutex held.
 */
static void puma_lender_info(struct puma_lender *lender,
			     struct puma_borrower_conn *bc,
			     struct puma_peer_info *info)
{
	struct puma_borrower_conn *p = bc;
	unsigned long channels = 0;
	bool alive = true;

	*info = (struct puma_peer_info) {
		.role = PUMA_PEER_BORROWER,
		.addr = bc->conn->peer,
		.node_id = bc->node_id,
	};
	list_for_each_entry_from(p, &lender->borrowers, node) {
		if (p != bc && (!bc->store || p->store != bc->store))
			continue;
		info->bytes_in += atomic64_read(&p->conn->bytes_in);
		info->bytes_out += atomic64_read(&p->conn->bytes_out);
		info->violations += atomic64_read(&p->conn->violations);
		if (READ_ONCE(p->conn->error))
			alive = false;
		if (p->store)
			channels |= BIT(p->conn->params.channel);
	}
	if (bc->store) {
		alive = alive && channels == (BIT(PUMA_CHAN_PUT) |
					      BIT(PUMA_CHAN_GET));
		info->has_store = true;
		puma_store_info(bc->store, &info->store);
		info->puts_refused = info->store.refused_quota +
				     info->store.refused_memory +
				     info->store.refused_files +
				     info->store.refused_nomem;
	}
	info->state = alive ? PUMA_PEER_CONNECTED : PUMA_PEER_DISCONNECTED;
}

/**
 * puma_lender_walk() - report each borrower session
 * @walk: position and visitor, called under the lender mutex
 *
 * A session's two connections make one report: their traffic and
 * violations summed, connected while both are, with the figures of the
 * session's store.  A connection that has not said HELLO yet is reported
 * on its own.
 *
 * Return: 0, or what @walk->visit returned to stop the walk.
 */
int puma_lender_walk(struct puma_peer_walk *walk)
{
	struct puma_borrower_conn *bc;
	struct puma_peer_info info;
	unsigned long i = 0;
	int ret = 0;

	mutex_lock(&puma_lender_mutex);
	if (!puma_lender)
		goto out;
	list_for_each_entry(bc, &puma_lender->borrowers, node) {
		if (puma_lender_reported(puma_lender, bc))
			continue;
		if (i++ < walk->pos)
			continue;
		puma_lender_info(puma_lender, bc, &info);
		ret = walk->visit(walk, &info);
		if (ret)
			break;
		walk->pos++;
	}
out:
	mutex_unlock(&puma_lender_mutex);
	return ret;
}

/**
 * puma_lender_idle_timeout() - seconds a session may stay silent
 *
 * Return: the idle timeout.
 */
unsigned int puma_lender_idle_timeout(void)
{
	return READ_ONCE(puma_lender_idle_s);
}

/**
 * puma_lender_set_idle_timeout() - close sessions silent this long
 * @seconds: PUMA_LENDER_IDLE_S_MIN to PUMA_LENDER_IDLE_S_MAX
 *
 * Applies to every session from the next scan on (within a second).
 */
void puma_lender_set_idle_timeout(unsigned int seconds)
{
	WRITE_ONCE(puma_lender_idle_s, seconds);
}

/**
 * puma_lender_exit() - stop lending if this node lends
 */
void puma_lender_exit(void)
{
	puma_lender_stop();
}
