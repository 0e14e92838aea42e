/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PUMA_SYSFS_H
#define _PUMA_SYSFS_H

int puma_sysfs_init(void);
void puma_sysfs_exit(void);

#endif /* _PUMA_SYSFS_H */
