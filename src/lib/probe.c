// SPDX-License-Identifier: GPL-2.0-or-later
/* Layout look-ups with the first failure's reason kept (probe.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"

void ms_probe_init(struct ms_probe *p, struct ms_target *t)
{
	memset(p, 0, sizeof(*p));
	p->t = t;
}

int ms_probe_fail(struct ms_probe *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return MS_ERROR;
	p->failed = true;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
	return MS_ERROR;
}

int ms_probe_try_member(struct ms_probe *p, const char *type,
			const char *member, size_t *off, size_t *size)
{
	size_t dummy;

	return p->t->ops->member(p->t->priv, type, member, off,
				 size ? size : &dummy);
}

int ms_probe_try_size(struct ms_probe *p, const char *type, size_t *size)
{
	return p->t->ops->type_size(p->t->priv, type, size);
}

int ms_probe_try_enum(struct ms_probe *p, const char *name, int64_t *v)
{
	return p->t->ops->enumerator(p->t->priv, name, v);
}

int ms_probe_try_symbol(struct ms_probe *p, const char *name, uint64_t *addr)
{
	return p->t->ops->symbol(p->t->priv, name, addr);
}

int ms_probe_member(struct ms_probe *p, const char *type, const char *member,
		    size_t *off, size_t *size)
{
	int r = ms_probe_try_member(p, type, member, off, size);

	if (r < 0)
		ms_probe_fail(p, "cannot look up %s.%s in the debug info", type,
			      member);
	return r;
}

int ms_probe_enum(struct ms_probe *p, const char *name, int64_t *v)
{
	int r = ms_probe_try_enum(p, name, v);

	if (r < 0)
		ms_probe_fail(p, "cannot look up enumerator %s in the debug info",
			      name);
	return r;
}

int ms_probe_symbol(struct ms_probe *p, const char *name, uint64_t *addr)
{
	int r = ms_probe_try_symbol(p, name, addr);

	if (r < 0)
		ms_probe_fail(p, "cannot look up symbol %s", name);
	return r;
}

int ms_probe_bit(struct ms_probe *p, const char *name, int64_t limit, int *bit)
{
	int64_t v;

	if (ms_probe_try_enum(p, name, &v) || v < 0 || v >= limit)
		return MS_ABSENT;
	*bit = (int)v;
	return 0;
}

int ms_probe_read(struct ms_probe *p, uint64_t addr, size_t size,
		  uint64_t *v)
{
	unsigned char buf[8];
	size_t done = 0;

	if (size > sizeof(buf) ||
	    p->t->ops->read(p->t->priv, MS_KVADDR, addr, buf, size, &done))
		return MS_ERROR;
	*v = 0;
	for (size_t i = size; i-- > 0;)
		*v = (*v << 8) | buf[i];
	return 0;
}
