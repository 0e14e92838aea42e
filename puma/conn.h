/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One TCP connection between a borrower and a lender, carrying one channel
 * (puts or gets) of PUMA's wire protocol.
 */
#ifndef _PUMA_CONN_H
#define _PUMA_CONN_H

#include <linux/atomic.h>
#include <linux/in.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "proto.h"

struct kvec;

struct puma_conn;
struct socket;
struct task_struct;

/**
 * typedef puma_conn_handler_t - what a connection does with a message
 * @conn: the connection it arrived on
 * @msg: the decoded message; its pointers are valid until this returns
 *
 * Called from the connection's receive thread.  Return: 0 to go on, a
 * negative errno to close the connection.
 */
typedef int (*puma_conn_handler_t)(struct puma_conn *conn,
				   const struct puma_msg *msg);

/**
 * struct puma_conn - a connection and its receive thread
 * @sock: the kernel socket
 * @peer: the remote address
 * @params: protocol parameters, fixed once the handshake is done
 * @send_busy: bit 0 set while a sender owns the socket, so that messages
 *	never interleave (a lock with a deadline: see conn.c)
 * @send_wq: senders waiting for @send_busy
 * @send_timeo: jiffies a puma_conn_send() may take, MAX_SCHEDULE_TIMEOUT
 *	for no limit
 * @rx_thread: the receive thread, once started
 * @rx_buf: receive buffer, PUMA_PROTO_MAX_MSG bytes
 * @handle: the message handler
 * @closed: called once, from the receive thread, when the connection
 *	ends (peer closed, error, protocol violation, local close)
 * @owner: the object the connection belongs to
 * @error: why the connection ended (0 while it lives)
 * @bytes_in: bytes received
 * @bytes_out: bytes sent
 * @violations: messages that broke the protocol (connection then closed)
 */
struct puma_conn {
	struct socket *sock;
	struct sockaddr_in peer;
	struct puma_proto_params params;
	unsigned long send_busy;
	wait_queue_head_t send_wq;
	long send_timeo;
	struct task_struct *rx_thread;
	void *rx_buf;
	puma_conn_handler_t handle;
	void (*closed)(struct puma_conn *conn);
	void *owner;
	int error;
	atomic64_t bytes_in;
	atomic64_t bytes_out;
	atomic64_t violations;
};

/*
 * Milliseconds sent data may stay unacknowledged, and an idle peer may
 * stay silent to keepalive, before TCP gives up on the connection.
 */
#define PUMA_CONN_USER_TIMEOUT_MS	8000

struct puma_conn *puma_conn_connect(const struct sockaddr_in *addr,
				    unsigned int timeout_ms);
struct puma_conn *puma_conn_from_socket(struct socket *sock);
int puma_conn_send(struct puma_conn *conn, const void *buf, size_t len);
int puma_conn_sendv(struct puma_conn *conn, const struct kvec *vec,
		    unsigned int nr);
int puma_conn_send_by(struct puma_conn *conn, const void *buf, size_t len,
		      unsigned long deadline);
int puma_conn_send_msg(struct puma_conn *conn, const struct puma_msg *msg);
int puma_conn_answer_ping(struct puma_conn *conn, const struct puma_msg *ping);
int puma_conn_recv(struct puma_conn *conn, struct puma_msg *msg);
void puma_conn_set_timeout(struct puma_conn *conn, unsigned int ms);
void puma_conn_set_rx_timeout(struct puma_conn *conn, unsigned int ms);
int puma_conn_start(struct puma_conn *conn, const char *name);
void puma_conn_shutdown(struct puma_conn *conn);
void puma_conn_destroy(struct puma_conn *conn);

#endif /* _PUMA_CONN_H */
