// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel TCP connections for PUMA's wire protocol.
 *
 * A connection is a kernel socket (TCP_NODELAY) plus a receive thread that
 * reads a header, checks it with puma_proto_header() before reading the
 * payload into a buffer of the largest legal size, decodes and checks the
 * whole message with puma_proto_decode(), and hands it to the owner's
 * handler.  A message that breaks the protocol is counted and ends the
 * connection: a peer is never trusted.
 *
 * Senders take turns on the socket and may sleep; nothing waits on a dead
 * or stalled peer past its deadline.  A send has one deadline, for its
 * turn and for its bytes: puma_conn_send_by() takes the caller's (a get
 * gives its window's), puma_conn_send() the connection's send timeout.
 * The turn is a bit taken with test_and_set_bit_lock() and waited for on
 * a waitqueue with a timeout, not a mutex: a reader must never wait on
 * another reader's send, or on the ping work's, past its own deadline.
 * A send that times out before its first byte left nothing in the stream
 * and leaves the connection as it was; one cut short after it started
 * (a timeout, an error) leaves a partial message that no later message
 * can follow, so the connection is shut down and its owner's requests
 * fail with it.
 *
 * TCP gives up on a connection whose sent data stays unacknowledged for
 * PUMA_CONN_USER_TIMEOUT_MS (TCP_USER_TIMEOUT, which also bounds a peer
 * that keeps its receive window shut) and on a silent idle peer within
 * about the same time (keepalive).  Closing shuts the socket down, which
 * wakes the receive thread.
 *
 * Lifetime: puma_conn_shutdown() may be called from any sleeping context
 * and at any time; puma_conn_destroy() stops the thread (never from the
 * thread itself) and frees everything.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "conn.h"
#include "pool.h"

static struct puma_conn *puma_conn_alloc(struct socket *sock)
{
	struct puma_conn *conn = kzalloc(sizeof(*conn), GFP_KERNEL);

	if (!conn)
		return NULL;
	conn->rx_buf = kvmalloc(PUMA_PROTO_MAX_MSG, GFP_KERNEL);
	if (!conn->rx_buf) {
		kfree(conn);
		return NULL;
	}
	conn->sock = sock;
	init_waitqueue_head(&conn->send_wq);
	conn->send_timeo = MAX_SCHEDULE_TIMEOUT;
	tcp_sock_set_nodelay(sock->sk);
	/*
	 * A peer that vanishes without a FIN is noticed by TCP keepalive
	 * within about 8 s even on an idle connection (a lender's view of
	 * a borrower; borrowers also ping): 5 s idle, then 3 probes 1 s
	 * apart.  Data sent and never acknowledged, or a receive window
	 * that stays shut, ends the connection after the same 8 s.
	 */
	sock_set_keepalive(sock->sk);
	tcp_sock_set_keepidle(sock->sk, 5);
	tcp_sock_set_keepintvl(sock->sk, 1);
	tcp_sock_set_keepcnt(sock->sk, 3);
	tcp_sock_set_user_timeout(sock->sk, PUMA_CONN_USER_TIMEOUT_MS);
	return conn;
}

static long puma_conn_jiffies(unsigned int ms)
{
	return ms ? msecs_to_jiffies(ms) : MAX_SCHEDULE_TIMEOUT;
}

/**
 * puma_conn_set_timeout() - bound every send and receive
 * @conn: the connection
 * @ms: milliseconds, 0 for none
 */
void puma_conn_set_timeout(struct puma_conn *conn, unsigned int ms)
{
	WRITE_ONCE(conn->send_timeo, puma_conn_jiffies(ms));
	WRITE_ONCE(conn->sock->sk->sk_rcvtimeo, puma_conn_jiffies(ms));
	/* For kernel_connect(); sends set their own, see below. */
	WRITE_ONCE(conn->sock->sk->sk_sndtimeo, puma_conn_jiffies(ms));
}

/**
 * puma_conn_set_rx_timeout() - bound receives only
 * @conn: the connection
 * @ms: milliseconds, 0 for none
 */
void puma_conn_set_rx_timeout(struct puma_conn *conn, unsigned int ms)
{
	WRITE_ONCE(conn->sock->sk->sk_rcvtimeo, puma_conn_jiffies(ms));
}

/**
 * puma_conn_connect() - open a connection to @addr
 * @addr: the lender's address
 * @timeout_ms: limit for the connect and, until changed, every I/O
 *
 * Context: process, may sleep up to @timeout_ms.
 * Return: the connection (no receive thread yet) or an ERR_PTR:
 * -ECONNREFUSED, -ETIMEDOUT, -EHOSTUNREACH, -ENETUNREACH, -ENOMEM...
 */
struct puma_conn *puma_conn_connect(const struct sockaddr_in *addr,
				    unsigned int timeout_ms)
{
	struct puma_conn *conn;
	struct socket *sock;
	int ret;

	ret = sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
			       &sock);
	if (ret)
		return ERR_PTR(ret);
	conn = puma_conn_alloc(sock);
	if (!conn) {
		sock_release(sock);
		return ERR_PTR(-ENOMEM);
	}
	conn->peer = *addr;
	puma_conn_set_timeout(conn, timeout_ms);
	ret = kernel_connect(sock, (struct sockaddr *)addr, sizeof(*addr), 0);
	if (ret) {
		/* A connect cut short by its timeout says -EINPROGRESS. */
		if (ret == -EINPROGRESS || ret == -EAGAIN)
			ret = -ETIMEDOUT;
		puma_conn_destroy(conn);
		return ERR_PTR(ret);
	}
	return conn;
}

/**
 * puma_conn_from_socket() - wrap an accepted socket
 * @sock: the socket, now owned by the connection
 *
 * Return: the connection or NULL (the socket is then released).
 */
struct puma_conn *puma_conn_from_socket(struct socket *sock)
{
	struct puma_conn *conn = puma_conn_alloc(sock);
	int len;

	if (!conn) {
		sock_release(sock);
		return NULL;
	}
	len = kernel_getpeername(sock, (struct sockaddr *)&conn->peer);
	if (len < 0)
		memset(&conn->peer, 0, sizeof(conn->peer));
	return conn;
}

/* Jiffies left until @deadline, 0 when past; @forever: no deadline. */
static long puma_conn_left(unsigned long deadline, bool forever)
{
	long left = (long)(deadline - jiffies);

	if (forever)
		return MAX_SCHEDULE_TIMEOUT;
	return max(left, 0L);
}

static bool puma_conn_send_trylock(struct puma_conn *conn)
{
	return !test_and_set_bit_lock(0, &conn->send_busy);
}

static void puma_conn_send_unlock(struct puma_conn *conn)
{
	clear_bit_unlock(0, &conn->send_busy);
	/* Order the clear before the waitqueue check in wake_up(). */
	smp_mb__after_atomic();
	wake_up(&conn->send_wq);
}

static int puma_conn_send_until(struct puma_conn *conn,
				const struct kvec *vec, unsigned int nr,
				size_t len, unsigned long deadline,
				bool forever)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	struct sock *sk = conn->sock->sk;
	size_t done = 0;
	long left;
	int ret = 0;

	/* Our turn, or nothing sent: the stream is as it was. */
	if (!wait_event_timeout(conn->send_wq, puma_conn_send_trylock(conn),
				puma_conn_left(deadline, forever)))
		return -ETIMEDOUT;
	/* The iterator moves on by what each sendmsg took. */
	iov_iter_kvec(&msg.msg_iter, WRITE, vec, nr, len);
	while (done < len) {
		left = puma_conn_left(deadline, forever);
		if (!left) {
			ret = -ETIMEDOUT;
			break;
		}
		/* Ours while we hold the turn: the rest of this send's time. */
		WRITE_ONCE(sk->sk_sndtimeo, left);
		ret = sock_sendmsg(conn->sock, &msg);
		if (ret <= 0) {
			ret = ret ? ret : -EPIPE;
			break;
		}
		done += ret;
		ret = 0;
	}
	if (ret == -EAGAIN)
		ret = -ETIMEDOUT;
	if (ret && done) {
		/* Nothing can follow a partial message: end the connection. */
		puma_stats_inc(&puma_global_stats, PUMA_STAT_SENDS_CUT);
		pr_warn_ratelimited("%pI4:%u: send cut short after %zu of %zu bytes (%d): disconnecting\n",
				    &conn->peer.sin_addr,
				    ntohs(conn->peer.sin_port), done, len, ret);
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	}
	puma_conn_send_unlock(conn);
	atomic64_add(done, &conn->bytes_out);
	puma_stats_add(&puma_global_stats, PUMA_STAT_BYTES_SENT, done);
	return ret;
}

/**
 * puma_conn_send_by() - send @len bytes, all of them, by @deadline
 * @conn: the connection
 * @buf: the bytes (one or more whole messages)
 * @len: how many
 * @deadline: in jiffies: for the wait for this sender's turn and for the
 *	bytes together
 *
 * Context: process, may sleep until @deadline.
 * Return: 0; -ETIMEDOUT when @deadline passed before the first byte was
 * sent (the connection is fine); another negative errno, or -ETIMEDOUT
 * after some bytes were sent: the connection is then shut down (its
 * receive thread reports it closed).
 */
int puma_conn_send_by(struct puma_conn *conn, const void *buf, size_t len,
		      unsigned long deadline)
{
	struct kvec vec = { .iov_base = (void *)buf, .iov_len = len };

	return puma_conn_send_until(conn, &vec, 1, len, deadline, false);
}

/**
 * puma_conn_send() - send @len bytes, all of them, within the send timeout
 * @conn: the connection
 * @buf: the bytes (one or more whole messages)
 * @len: how many
 *
 * As puma_conn_send_by() with a deadline of now plus the timeout of
 * puma_conn_set_timeout(), none when it is 0.
 *
 * Context: process, may sleep up to the send timeout.
 * Return: 0 or a negative errno, as puma_conn_send_by().
 */
int puma_conn_send(struct puma_conn *conn, const void *buf, size_t len)
{
	struct kvec vec = { .iov_base = (void *)buf, .iov_len = len };

	return puma_conn_sendv(conn, &vec, 1);
}

/**
 * puma_conn_sendv() - send the bytes of @nr buffers, all of them, within
 *	the send timeout
 * @conn: the connection
 * @vec: the buffers, in order (one or more whole messages together)
 * @nr: how many
 *
 * As puma_conn_send(), for a message whose parts lie apart (a PUT's
 * header and the staging pages it carries): TCP copies each part once,
 * straight into its buffers.
 *
 * Context: process, may sleep up to the send timeout.
 * Return: 0 or a negative errno, as puma_conn_send_by().
 */
int puma_conn_sendv(struct puma_conn *conn, const struct kvec *vec,
		    unsigned int nr)
{
	long timeo = READ_ONCE(conn->send_timeo);
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < nr; i++)
		len += vec[i].iov_len;
	return puma_conn_send_until(conn, vec, nr, len, jiffies + timeo,
				    timeo == MAX_SCHEDULE_TIMEOUT);
}

/**
 * puma_conn_send_msg() - encode a non-batch message and send it
 * @conn: the connection
 * @msg: HELLO, HELLO_ACK, INVALIDATE_INODE, INVALIDATE_POOL, PING, PONG
 *	or BYE
 *
 * Return: 0 or a negative errno.
 */
int puma_conn_send_msg(struct puma_conn *conn, const struct puma_msg *msg)
{
	u8 buf[PUMA_PROTO_HDR_LEN + sizeof(struct puma_wire_hello)];
	int len = puma_proto_encode(buf, sizeof(buf), msg);

	if (len < 0)
		return len;
	return puma_conn_send(conn, buf, len);
}

/**
 * puma_conn_answer_ping() - send the PONG that answers @ping
 * @conn: the connection the PING came on
 * @ping: the decoded PING
 *
 * Return: 0 or a negative errno.
 */
int puma_conn_answer_ping(struct puma_conn *conn, const struct puma_msg *ping)
{
	struct puma_msg pong = {
		.type = PUMA_MSG_PONG,
		.id = ping->id,
		.timestamp = ping->timestamp,
	};

	return puma_conn_send_msg(conn, &pong);
}

static int puma_conn_recv_exact(struct puma_conn *conn, void *buf,
				size_t len)
{
	struct msghdr msg = { };
	struct kvec iov;
	size_t done = 0;
	int ret;

	while (done < len) {
		iov.iov_base = buf + done;
		iov.iov_len = len - done;
		ret = kernel_recvmsg(conn->sock, &msg, &iov, 1, iov.iov_len,
				     MSG_WAITALL);
		if (ret == 0)
			return -ECONNRESET;
		if (ret < 0)
			return ret == -EAGAIN ? -ETIMEDOUT : ret;
		done += ret;
	}
	atomic64_add(done, &conn->bytes_in);
	puma_stats_add(&puma_global_stats, PUMA_STAT_BYTES_RECEIVED, done);
	return 0;
}

/**
 * puma_conn_recv() - receive and check one message
 * @conn: the connection
 * @msg: output; its pointers point into the connection's buffer, valid
 *	until the next receive
 *
 * Context: process, may sleep up to the receive timeout.
 * Return: 0; a negative errno from the socket; or the error of the
 * protocol check (-EPROTO, -EMSGSIZE, -EBADMSG, -EOPNOTSUPP), counted in
 * @conn->violations.
 */
int puma_conn_recv(struct puma_conn *conn, struct puma_msg *msg)
{
	int len, ret;

	ret = puma_conn_recv_exact(conn, conn->rx_buf, PUMA_PROTO_HDR_LEN);
	if (ret)
		return ret;
	len = puma_proto_header(&conn->params, conn->rx_buf);
	if (len < 0)
		goto violation;
	if (len > PUMA_PROTO_MAX_MSG - PUMA_PROTO_HDR_LEN) {
		len = -EMSGSIZE;
		goto violation;
	}
	ret = puma_conn_recv_exact(conn, conn->rx_buf + PUMA_PROTO_HDR_LEN,
				   len);
	if (ret)
		return ret;
	ret = puma_proto_decode(&conn->params, conn->rx_buf,
				PUMA_PROTO_HDR_LEN + len, msg);
	if (!ret)
		return 0;
	len = ret;
violation:
	atomic64_inc(&conn->violations);
	pr_warn_ratelimited("%pI4:%u broke the protocol (%d): disconnecting\n",
			    &conn->peer.sin_addr, ntohs(conn->peer.sin_port),
			    len);
	return len;
}

static int puma_conn_rx_thread(void *data)
{
	struct puma_conn *conn = data;
	struct puma_msg msg;
	int ret;

	for (;;) {
		ret = puma_conn_recv(conn, &msg);
		if (ret)
			break;
		ret = conn->handle(conn, &msg);
		if (ret == -EPROTO) {
			/* Well formed, but not what this end expects now. */
			atomic64_inc(&conn->violations);
			pr_warn_ratelimited("%pI4:%u sent an unexpected message (type %u): disconnecting\n",
					    &conn->peer.sin_addr,
					    ntohs(conn->peer.sin_port), msg.type);
		}
		if (ret || kthread_should_stop())
			break;
	}
	WRITE_ONCE(conn->error, ret ? ret : -ESHUTDOWN);
	kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	if (conn->closed)
		conn->closed(conn);
	/* puma_conn_destroy() stops us: wait for it. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/**
 * puma_conn_start() - start the receive thread
 * @conn: a connection whose @handle (and optionally @closed) is set and
 *	whose handshake is done
 * @name: thread name
 *
 * Timeouts stay as set: a lender's connection keeps a receive timeout until
 * the handshake is done; sends keep theirs, so that no sender waits on a
 * dead peer forever.
 *
 * Return: 0 or a negative errno.
 */
int puma_conn_start(struct puma_conn *conn, const char *name)
{
	struct task_struct *t;

	t = kthread_create(puma_conn_rx_thread, conn, "%s", name);
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	conn->rx_thread = t;
	wake_up_process(t);
	return 0;
}

/**
 * puma_conn_shutdown() - end the connection; the receive thread then
 * calls @closed and waits to be destroyed
 * @conn: the connection
 *
 * Context: any sleeping context, any number of times.
 */
void puma_conn_shutdown(struct puma_conn *conn)
{
	kernel_sock_shutdown(conn->sock, SHUT_RDWR);
}

/**
 * puma_conn_destroy() - shut down, stop the thread, free
 * @conn: the connection, or NULL
 *
 * Context: process; never from the connection's own receive thread.
 */
void puma_conn_destroy(struct puma_conn *conn)
{
	if (!conn)
		return;
	kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	if (conn->rx_thread) {
		kthread_stop(conn->rx_thread);
		put_task_struct(conn->rx_thread);
	}
	sock_release(conn->sock);
	kvfree(conn->rx_buf);
	kfree(conn);
}
