/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small streaming JSON emitter: compact output, strings escaped, and
 * anything that is not well-formed UTF-8 replaced by U+FFFD.
 *
 * Inside an object every value takes a key; inside an array, and for the
 * top-level value, the key is NULL.
 */
#ifndef _PUMACTL_JSON_H
#define _PUMACTL_JSON_H

#include <stdio.h>

#define JSON_MAX_DEPTH	16

/**
 * struct json - emitter state
 * @f: where the text goes
 * @depth: number of open objects and arrays
 * @items: per depth, whether the open container has a value already
 */
struct json {
	FILE *f;
	unsigned int depth;
	unsigned char items[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, unsigned long long val);
/* A finite number, 4 decimals. */
void json_double(struct json *j, const char *key, double val);
void json_bool(struct json *j, const char *key, int val);
void json_null(struct json *j, const char *key);
/* Ends the document with a newline. */
void json_finish(struct json *j);

#endif /* _PUMACTL_JSON_H */
