/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PUMA: a cooperative page cache for virtual machines.  Declarations shared
 * by the module's units; each unit's own header holds the rest.
 */
#ifndef _PUMA_H
#define _PUMA_H

#define PUMA_VERSION	"0.1.0"

#endif /* _PUMA_H */
