// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints of trace.h, defined once here.
 */
#include <linux/math64.h>
#include <linux/time64.h>

#define CREATE_TRACE_POINTS
#include "trace.h"
