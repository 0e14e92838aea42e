// SPDX-License-Identifier: GPL-2.0
/*
 * The lender side: a TCP listener and the borrowers connected to it.
 *
 * An accept thread takes connections; each gets a receive thread (conn.c)
 * whose first message must be a HELLO within PUMA_CONNECT_TIMEOUT_MS.  A
 * borrower opens two connections, one per channel; each is listed on its
 * own, with the borrower's node id.
 *
 * The page store is not there yet: this lender holds nothing.  It answers
 * every GET with misses and counts every PUT as refused, which is what a
 * lender without room does; INVALIDATE_* find nothing to drop.
 *
 * Locking: puma_lender_mutex guards puma_lender and its borrower list.  A
 * connection that ends (its receive thread calls puma_lender_closed())
 * is unlinked and destroyed by a work item, since a thread cannot stop
 * itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/sock.h>

#include <linux/puma.h>

#include "conn.h"
#include "peer.h"

/**
 * struct puma_borrower_conn - one connection of a borrower
 * @node: in puma_lender.borrowers
 * @lender: the lender it belongs to
 * @conn: the connection
 * @node_id: the borrower's node id, once it said HELLO
 * @puts_refused: pages offered that this lender did not keep
 * @reap: unlinks and frees this once the connection ended
 */
struct puma_borrower_conn {
	struct list_head node;
	struct puma_lender *lender;
	struct puma_conn *conn;
	u64 node_id;
	atomic64_t puts_refused;
	struct work_struct reap;
};

/**
 * struct puma_lender - this node's lender state while it lends
 * @listen: the listening socket
 * @accept_thread: takes new connections
 * @addr: where it listens
 * @max_memory: bytes it lends at most, 0 for no limit of its own
 * @borrowers: struct puma_borrower_conn, one per connection
 * @reap_wq: where ended connections are freed
 */
struct puma_lender {
	struct socket *listen;
	struct task_struct *accept_thread;
	struct sockaddr_in addr;
	u64 max_memory;
	struct list_head borrowers;
	struct workqueue_struct *reap_wq;
};

static DEFINE_MUTEX(puma_lender_mutex);
static struct puma_lender *puma_lender;

static const struct puma_hello puma_lender_hello = {
	.version = PUMA_PROTO_VERSION,
	.page_size = PAGE_SIZE,
	.max_batch = PUMA_PROTO_MAX_BATCH,
	.features = PUMA_FEAT_EXCLUSIVE,
};

static int puma_lender_handshake(struct puma_conn *conn,
				 const struct puma_msg *msg)
{
	struct puma_borrower_conn *bc = conn->owner;
	struct puma_hello local = puma_lender_hello;
	struct puma_msg ack = { .type = PUMA_MSG_HELLO_ACK };
	struct puma_proto_params params;
	int ret, sent;

	local.node_id = puma_node_id;
	ret = puma_proto_accept(&local, &msg->hello, &ack.hello, &params);
	sent = puma_conn_send_msg(conn, &ack);
	if (ret)
		return ret;
	if (sent)
		return sent;
	conn->params = params;
	WRITE_ONCE(bc->node_id, msg->hello.node_id);
	/* Liveness is the borrower's pings and TCP keepalive from now on. */
	puma_conn_set_timeout(conn, PUMA_SEND_TIMEOUT_MS);
	puma_conn_set_rx_timeout(conn, 0);
	return 0;
}

static int puma_lender_get(struct puma_conn *conn, const struct puma_msg *msg)
{
	u8 status[PUMA_PROTO_MAX_BATCH] = { };	/* all PUMA_GET_MISS */
	u8 buf[PUMA_PROTO_HDR_LEN + sizeof(struct puma_wire_batch) +
	       PUMA_PROTO_MAX_BATCH];
	struct puma_batch resp = {
		.type = PUMA_MSG_GET_RESP,
		.id = msg->id,
		.count = msg->batch.count,
		.status = status,
		.page_size = conn->params.page_size,
	};
	int len = puma_proto_batch(buf, sizeof(buf), &resp);

	if (len < 0)
		return len;
	return puma_conn_send(conn, buf, len);
}

static int puma_lender_handle(struct puma_conn *conn,
			      const struct puma_msg *msg)
{
	struct puma_borrower_conn *bc = conn->owner;

	switch (msg->type) {
	case PUMA_MSG_HELLO:
		return puma_lender_handshake(conn, msg);
	case PUMA_MSG_PING:
		return puma_conn_answer_ping(conn, msg);
	case PUMA_MSG_GET:
		return puma_lender_get(conn, msg);
	case PUMA_MSG_PUT:
		atomic64_add(msg->batch.count, &bc->puts_refused);
		return 0;
	case PUMA_MSG_INVALIDATE_PAGES:
	case PUMA_MSG_INVALIDATE_INODE:
	case PUMA_MSG_INVALIDATE_POOL:
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
	mutex_unlock(&puma_lender_mutex);
	puma_conn_destroy(bc->conn);
	kfree(bc);
}

static void puma_lender_closed(struct puma_conn *conn)
{
	struct puma_borrower_conn *bc = conn->owner;

	queue_work(bc->lender->reap_wq, &bc->reap);
}

/* Called with puma_lender_mutex held. */
static void puma_lender_add_conn(struct puma_lender *lender,
				 struct socket *sock)
{
	struct puma_borrower_conn *bc;
	struct puma_conn *conn;

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
}

static int puma_lender_accept_thread(void *data)
{
	struct puma_lender *lender = data;
	struct socket *sock;
	int ret;

	while (!kthread_should_stop()) {
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
 * @max_memory: bytes to lend at most, 0 for no limit of its own
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
	lender = kzalloc(sizeof(*lender), GFP_KERNEL);
	if (!lender)
		return -ENOMEM;
	lender->addr = *addr;
	lender->max_memory = max_memory;
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
 * puma_lender_stop() - stop lending; every borrower is disconnected
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

/**
 * puma_lender_walk() - report each borrower connection
 * @walk: position and visitor, called under the lender mutex
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
		if (i++ < walk->pos)
			continue;
		info = (struct puma_peer_info) {
			.role = PUMA_PEER_BORROWER,
			.addr = bc->conn->peer,
			.node_id = READ_ONCE(bc->node_id),
			.state = READ_ONCE(bc->conn->error) ?
				 PUMA_PEER_DISCONNECTED : PUMA_PEER_CONNECTED,
			.bytes_in = atomic64_read(&bc->conn->bytes_in),
			.bytes_out = atomic64_read(&bc->conn->bytes_out),
			.violations = atomic64_read(&bc->conn->violations),
			.puts_refused = atomic64_read(&bc->puts_refused),
		};
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
 * puma_lender_exit() - stop lending if this node lends
 */
void puma_lender_exit(void)
{
	puma_lender_stop();
}
