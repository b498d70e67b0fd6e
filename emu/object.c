/* SPDX-License-Identifier: MIT */
/*
 * Globals of a native BPF object (.bss, .data, .rodata) and the registry of
 * generated objects.
 *
 * Native code has one copy of each global: the variable in X.bpfemu.c.
 * libbpf users expect a second copy they read and write through skel->bss,
 * skel->data and (before load) skel->rodata.  The runtime owns that second
 * copy and keeps the two consistent at the boundaries the kernel's
 * mmap()ed maps make invisible:
 *   - load:      every section, rodata included, is copied into the
 *                variables (rodata is writable only until then);
 *   - each outermost entry (program run, timer callback):
 *       in:  variables whose user bytes changed since the last sync are
 *            copied in -- only those, so a run on another thread that is
 *            still going does not see its own updates clobbered;
 *       out: every .bss/.data variable is copied out.
 * A shadow copy (the user buffer as of the last sync) tells what user
 * space changed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "lock.h"
#include "map.h"
#include "object_priv.h"

struct emu_globals *emu_globals_new(const struct bpfemu_obj_desc *desc)
{
	struct emu_globals *g;
	int i;

	g = emu_calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	atomic_init(&g->refcnt, 1);
	emu_lock_init(&g->lock);
	g->desc = desc;
	g->binds = emu_calloc(desc->nr_maps ? desc->nr_maps : 1, sizeof(*g->binds));
	if (!g->binds)
		goto out_put;
	for (i = 0; i < BPFEMU_SEC_NR; i++) {
		const struct bpfemu_sec_desc *sd = &desc->secs[i];
		struct emu_globals_sec *s = &g->secs[i];

		s->desc = sd;
		if (!sd->size)
			continue;
		if (i != BPFEMU_SEC_RODATA)
			g->nr_sync_vars += sd->nr_vars;
		s->buf = emu_calloc(1, sd->size);
		s->shadow = emu_calloc(1, sd->size);
		if (!s->buf || !s->shadow)
			goto out_put;
		if (sd->init)
			memcpy(s->buf, sd->init, sd->size);
		memcpy(s->shadow, s->buf, sd->size);
	}
	return g;

out_put:
	emu_globals_put(g);
	return NULL;
}

void emu_globals_get(struct emu_globals *g)
{
	if (g)
		atomic_fetch_add(&g->refcnt, 1);
}

void emu_globals_put(struct emu_globals *g)
{
	int i;

	if (!g || atomic_fetch_sub(&g->refcnt, 1) != 1)
		return;
	emu_globals_teardown(g);
	emu_free(g->binds);
	for (i = 0; i < BPFEMU_SEC_NR; i++) {
		emu_free(g->secs[i].buf);
		emu_free(g->secs[i].shadow);
	}
	emu_free(g);
}

void *emu_globals_buf(struct emu_globals *g, int sec)
{
	if (!g || sec < 0 || sec >= BPFEMU_SEC_NR)
		return NULL;
	return g->secs[sec].buf;
}

/* Copy the user buffers of every section into the variables (load). */
void emu_globals_load(struct emu_globals *g)
{
	uint32_t i, v;

	emu_lock(&g->lock);
	for (i = 0; i < BPFEMU_SEC_NR; i++) {
		struct emu_globals_sec *s = &g->secs[i];

		if (!s->buf)
			continue;
		for (v = 0; v < s->desc->nr_vars; v++) {
			const struct bpfemu_var_desc *var = &s->desc->vars[v];

			memcpy(var->addr, s->buf + var->offset, var->size);
		}
		memcpy(s->shadow, s->buf, s->desc->size);
	}
	g->loaded = true;
	emu_unlock(&g->lock);
}

int emu_globals_claim(struct emu_globals *g)
{
	int err;

	err = emu_object_desc_claim(g->desc, g);
	if (!err)
		g->claimed = true;
	return err;
}

void emu_globals_bind(struct emu_globals *g, void *def, size_t def_size, struct emu_map *map)
{
	if (g->nr_binds >= g->desc->nr_maps)
		return;
	emu_map_get(map);
	g->binds[g->nr_binds].def = def;
	g->binds[g->nr_binds].map = map;
	g->nr_binds++;
	emu_map_bind_def(def, def_size, map);
}

/* Put the variables back to their initial values. */
static void globals_unload(struct emu_globals *g)
{
	uint32_t i, v;

	emu_lock(&g->lock);
	for (i = 0; g->loaded && i < BPFEMU_SEC_NR; i++) {
		const struct bpfemu_sec_desc *sd = g->secs[i].desc;

		if (!sd->size || !sd->init)
			continue;
		for (v = 0; v < sd->nr_vars; v++)
			memcpy(sd->vars[v].addr, (const unsigned char *)sd->init + sd->vars[v].offset,
			       sd->vars[v].size);
	}
	g->loaded = false;
	emu_unlock(&g->lock);
}

void emu_globals_teardown(struct emu_globals *g)
{
	uint32_t i;

	for (i = 0; i < g->nr_binds; i++) {
		emu_map_unbind_def(g->binds[i].def);
		emu_map_put(g->binds[i].map);
	}
	g->nr_binds = 0;
	globals_unload(g);
	if (g->claimed)
		emu_object_desc_release(g->desc, g);
	g->claimed = false;
}

void emu_globals_sync_in(struct emu_globals *g)
{
	uint32_t i, v;

	emu_lock(&g->lock);
	if (!g->loaded)
		goto out_unlock;
	/* .rodata is frozen at load, as the kernel freezes the map. */
	for (i = 0; i < BPFEMU_SEC_NR; i++) {
		struct emu_globals_sec *s = &g->secs[i];

		if (i == BPFEMU_SEC_RODATA || !s->buf)
			continue;
		for (v = 0; v < s->desc->nr_vars; v++) {
			const struct bpfemu_var_desc *var = &s->desc->vars[v];
			unsigned char *ub = s->buf + var->offset;
			unsigned char *sb = s->shadow + var->offset;

			if (!memcmp(ub, sb, var->size))
				continue;
			memcpy(var->addr, ub, var->size);
			memcpy(sb, ub, var->size);
		}
	}
out_unlock:
	emu_unlock(&g->lock);
}

void emu_globals_sync_out(struct emu_globals *g)
{
	uint32_t i, v;

	emu_lock(&g->lock);
	if (!g->loaded)
		goto out_unlock;
	for (i = 0; i < BPFEMU_SEC_NR; i++) {
		struct emu_globals_sec *s = &g->secs[i];

		if (i == BPFEMU_SEC_RODATA || !s->buf)
			continue;
		for (v = 0; v < s->desc->nr_vars; v++) {
			const struct bpfemu_var_desc *var = &s->desc->vars[v];

			memcpy(s->buf + var->offset, var->addr, var->size);
			memcpy(s->shadow + var->offset, var->addr, var->size);
		}
	}
out_unlock:
	emu_unlock(&g->lock);
}

/* Registry of generated objects, filled by constructors before main(). */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bpfemu_obj_desc *registry;

void bpfemu_object_register(struct bpfemu_obj_desc *desc)
{
	if (!desc || desc->abi != BPFEMU_GEN_ABI)
		return;
	pthread_mutex_lock(&registry_lock);
	desc->next = registry;
	registry = desc;
	pthread_mutex_unlock(&registry_lock);
}

struct bpfemu_obj_desc *emu_object_desc_find(const char *name)
{
	struct bpfemu_obj_desc *d;

	pthread_mutex_lock(&registry_lock);
	for (d = registry; d; d = d->next)
		if (!strcmp(d->name, name))
			break;
	pthread_mutex_unlock(&registry_lock);
	return d;
}

/*
 * One instance at a time per generated object: its native code has one set
 * of variables and map definitions.  Claimed at load by the instance's
 * emu_globals, released when they are torn down (the last program
 * reference gone, or a failed load).
 */
int emu_object_desc_claim(const struct bpfemu_obj_desc *desc, void *owner)
{
	struct bpfemu_obj_desc *d = (struct bpfemu_obj_desc *)desc;
	int err = 0;

	pthread_mutex_lock(&registry_lock);
	if (d->owner && d->owner != owner)
		err = -EBUSY;
	else
		d->owner = owner;
	pthread_mutex_unlock(&registry_lock);
	return err;
}

void emu_object_desc_release(const struct bpfemu_obj_desc *desc, void *owner)
{
	struct bpfemu_obj_desc *d = (struct bpfemu_obj_desc *)desc;

	pthread_mutex_lock(&registry_lock);
	if (d->owner == owner)
		d->owner = NULL;
	pthread_mutex_unlock(&registry_lock);
}
