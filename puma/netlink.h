/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PUMA_NETLINK_H
#define _PUMA_NETLINK_H

int puma_netlink_init(void);
void puma_netlink_exit(void);

#endif /* _PUMA_NETLINK_H */
