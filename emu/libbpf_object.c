/* SPDX-License-Identifier: MIT */
/*
 * libbpf's object API over natively compiled objects: open (from the
 * generator's tables), load (create or reuse maps, bind definitions, check
 * programs as the verifier would, copy .rodata in), skeletons, test runs.
 *
 * One instance of a generated object can be loaded at a time: its native
 * code has one set of map definitions and globals.  A second load of the
 * same object while the first is loaded fails with -EBUSY
 * ("object_loaded_twice"); build the source twice under two names to have
 * two instances (bpfemu_add_object).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <bpfemu/gen.h>

#include "alloc.h"
#include "clock.h"
#include "ctx.h"
#include "err.h"
#include "fd.h"
#include "map.h"
#include "object_priv.h"
#include "packet.h"
#include "prog.h"

#define DEFAULT_PIN_ROOT "/sys/fs/bpf"

struct bpf_map {
	struct bpf_object *obj;
	const struct bpfemu_map_desc *desc;
	struct emu_map_attr attr;
	struct emu_map *map;		/* reference held while loaded */
	int fd;
	char *pin_path;
	bool pinned;
	bool autocreate;
	int reuse_fd;			/* -1, or a dup of the user's fd */
	int inner_map_fd;		/* -1, or a dup of bpf_map__set_inner_map_fd's */
};

struct bpf_program {
	struct bpf_object *obj;
	const struct bpfemu_prog_desc *desc;
	struct emu_sec_def sec;
	int sec_err;
	struct emu_prog *prog;		/* reference held while loaded */
	int fd;
};

struct bpf_link {
	struct emu_prog *prog;		/* reference held: outlives the object */
};

struct bpf_object {
	const struct bpfemu_obj_desc *desc;
	char *name;
	char *pin_root;
	struct bpf_map *maps;
	uint32_t nr_maps;
	struct bpf_program *progs;
	uint32_t nr_progs;
	struct emu_globals *globals;
	bool gpl;
	bool loaded;
	bool load_tried;
};

_Static_assert((int)EMU_FIELD_SPIN_LOCK == BPFEMU_FIELD_SPIN_LOCK &&
	       (int)EMU_FIELD_TIMER == BPFEMU_FIELD_TIMER &&
	       (int)EMU_FIELD_WQ == BPFEMU_FIELD_WQ &&
	       (int)EMU_FIELD_KPTR == BPFEMU_FIELD_KPTR,
	       "the generator's field kinds are the runtime's");

static void prog_ref_get(void *obj)
{
	emu_prog_get(obj);
}

static void prog_ref_put(void *obj)
{
	emu_prog_put(obj);
}

static int prog_get_info(void *obj, void *info, uint32_t info_len)
{
	struct emu_prog *prog = obj;
	struct bpf_prog_info pi;

	memset(&pi, 0, sizeof(pi));
	pi.type = prog->type;
	pi.id = prog->id;
	snprintf(pi.name, sizeof(pi.name), "%s", prog->name);
	pi.gpl_compatible = prog->gpl;
	pi.run_cnt = atomic_load(&prog->run_cnt);
	pi.run_time_ns = atomic_load(&prog->run_time_ns);
	pi.nr_map_ids = prog->nr_maps;
	memcpy(info, &pi, info_len < sizeof(pi) ? info_len : sizeof(pi));
	return 0;
}

static const struct emu_obj_ref_ops prog_ref_ops = {
	.get = prog_ref_get,
	.put = prog_ref_put,
	.get_info = prog_get_info,
	.info_size = sizeof(struct bpf_prog_info),
};

__attribute__((constructor)) static void libbpf_object_init(void)
{
	emu_fd_register_kind(EMU_OBJ_PROG, &prog_ref_ops);
}

/*
 * libbpf_set_print(): the loader's warnings are bpfemu diagnostics (rule +
 * message, echoed to stderr by err.c); once a print function is installed
 * they also go to it as libbpf would print them, and NULL silences that.
 */
static _Atomic(libbpf_print_fn_t) print_fn;
static atomic_bool print_set;

libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn)
{
	atomic_store(&print_set, true);
	return atomic_exchange(&print_fn, fn);
}

int libbpf_num_possible_cpus(void)
{
	return emu_nr_cpus();
}

static void obj_print(enum libbpf_print_level level, const char *fmt, ...)
{
	libbpf_print_fn_t fn = atomic_load(&print_fn);
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	fn(level, fmt, ap);
	va_end(ap);
}

/* A loader warning: recorded as diagnostic @rule, and given to the
 * libbpf print function as "libbpf: <message>\n". */
#define obj_warn(rule, fmt, ...)						\
	do {									\
		emu_diag(rule, fmt, ##__VA_ARGS__);				\
		if (atomic_load(&print_set))					\
			obj_print(LIBBPF_WARN, "libbpf: " fmt "\n", ##__VA_ARGS__);	\
	} while (0)

/* libbpf's license_is_gpl_compatible(). */
static bool license_gpl(const char *l)
{
	static const char *const ok[] = { "GPL", "GPL v2", "GPL and additional rights",
		"Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL", NULL };
	int i;

	for (i = 0; l && ok[i]; i++)
		if (!strcmp(l, ok[i]))
			return true;
	return false;
}

static void attr_from_desc(struct emu_map_attr *a, const struct bpfemu_map_desc *d)
{
	uint32_t i;

	memset(a, 0, sizeof(*a));
	a->map_type = d->type;
	a->key_size = d->key_size;
	a->value_size = d->value_size;
	a->max_entries = d->max_entries;
	a->map_flags = d->map_flags;
	a->numa_node = d->numa_node;
	a->map_extra = d->map_extra;
	snprintf(a->name, sizeof(a->name), "%s", d->name);
	/* A definition in BPF C always comes with BTF for key and value. */
	a->has_btf = true;
	a->btf_key_type_id = (d->present & BPFEMU_MA_KEY) ? 1 : 0;
	a->btf_value_type_id = (d->present & BPFEMU_MA_VALUE) ? 2 : 0;
	/* libbpf creates map-in-map types without key/value type ids */
	if (d->type == BPF_MAP_TYPE_ARRAY_OF_MAPS || d->type == BPF_MAP_TYPE_HASH_OF_MAPS)
		a->btf_key_type_id = a->btf_value_type_id = 0;
	a->inner_map_fd = -1;
	a->nr_fields = d->nr_fields < EMU_MAX_FIELDS ? d->nr_fields : EMU_MAX_FIELDS;
	for (i = 0; i < a->nr_fields; i++) {
		a->fields[i].kind = d->fields[i].kind;
		a->fields[i].offset = d->fields[i].offset;
		a->fields[i].size = d->fields[i].size;
	}
}

static void object_free(struct bpf_object *obj)
{
	uint32_t i;

	if (!obj)
		return;
	for (i = 0; obj->maps && i < obj->nr_maps; i++) {
		emu_free(obj->maps[i].pin_path);
		if (obj->maps[i].reuse_fd >= 0)
			close(obj->maps[i].reuse_fd);
		if (obj->maps[i].inner_map_fd >= 0)
			close(obj->maps[i].inner_map_fd);
	}
	emu_free(obj->maps);
	emu_free(obj->progs);
	/* The runtime state lives on while programs reference it (object_priv.h). */
	emu_globals_put(obj->globals);
	emu_free(obj->pin_root);
	emu_free(obj->name);
	emu_free(obj);
}

static struct bpf_object *object_open(const struct bpfemu_obj_desc *desc,
				      const struct bpf_object_open_opts *opts, int *errp)
{
	struct bpf_object *obj;
	const char *pin_root = DEFAULT_PIN_ROOT, *name = desc->name;
	uint32_t i;
	int err = -ENOMEM;

	if (opts) {
		if (opts->sz < sizeof(size_t)) {
			*errp = -EINVAL;
			return NULL;
		}
		if (opts->sz >= offsetof(struct bpf_object_open_opts, pin_root_path) + sizeof(char *) &&
		    opts->pin_root_path)
			pin_root = opts->pin_root_path;
		if (opts->sz >= offsetof(struct bpf_object_open_opts, object_name) + sizeof(char *) &&
		    opts->object_name)
			name = opts->object_name;
	}
	if (desc->abi != BPFEMU_GEN_ABI) {
		*errp = -EINVAL;
		return NULL;
	}
	obj = emu_calloc(1, sizeof(*obj));
	if (!obj)
		goto out_err;
	obj->desc = desc;
	obj->name = emu_strdup(name);
	obj->pin_root = emu_strdup(pin_root);
	obj->gpl = license_gpl(desc->license);
	obj->nr_maps = desc->nr_maps;
	obj->nr_progs = desc->nr_progs;
	obj->maps = emu_calloc(desc->nr_maps ? desc->nr_maps : 1, sizeof(*obj->maps));
	obj->progs = emu_calloc(desc->nr_progs ? desc->nr_progs : 1, sizeof(*obj->progs));
	obj->globals = emu_globals_new(desc);
	if (!obj->name || !obj->pin_root || !obj->maps || !obj->progs || !obj->globals)
		goto out_free;

	for (i = 0; i < obj->nr_maps; i++) {
		struct bpf_map *m = &obj->maps[i];
		const struct bpfemu_map_desc *d = &desc->maps[i];

		m->obj = obj;
		m->desc = d;
		m->fd = -1;
		m->reuse_fd = -1;
		m->inner_map_fd = -1;
		m->autocreate = true;
		/* libbpf: an attribute it does not know fails the open */
		if (d->unknown_attr) {
			obj_warn("unknown_map_attr", "map '%s': unknown field '%s'", d->name, d->unknown_attr);
			err = -EOPNOTSUPP;
			goto out_free;
		}
		if ((d->present & BPFEMU_MA_PINNING) && d->pinning > 1) {
			obj_warn("bad_map_pinning", "map '%s': invalid pinning value %u", d->name, d->pinning);
			err = -EINVAL;
			goto out_free;
		}
		attr_from_desc(&m->attr, d);
		if ((d->present & BPFEMU_MA_PINNING) && d->pinning == 1) {
			size_t len = strlen(obj->pin_root) + strlen(d->name) + 2;

			m->pin_path = emu_malloc(len);
			if (!m->pin_path)
				goto out_free;
			snprintf(m->pin_path, len, "%s/%s", obj->pin_root, d->name);
		}
	}
	for (i = 0; i < obj->nr_progs; i++) {
		struct bpf_program *p = &obj->progs[i];

		p->obj = obj;
		p->desc = &desc->progs[i];
		p->fd = -1;
		p->sec_err = emu_sec_resolve(p->desc->sec, &p->sec);
		if (p->sec_err) {
			/* libbpf leaves the type unset and fails at load */
			p->sec.autoload = p->desc->sec[0] != '?';
		}
	}
	return obj;

out_free:
	object_free(obj);
out_err:
	*errp = err;
	return NULL;
}

struct bpf_object *bpf_object__open_file(const char *path, const struct bpf_object_open_opts *opts)
{
	const struct bpfemu_obj_desc *desc;
	struct bpf_object *obj;
	char name[256];
	const char *base;
	size_t n;
	int err = 0;

	emu_fd_reap();
	if (!path)
		return emu_err_ptr(-EINVAL);
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	n = strcspn(base, ".");
	if (n >= sizeof(name))
		return emu_err_ptr(-ENAMETOOLONG);
	memcpy(name, base, n);
	name[n] = '\0';
	desc = emu_object_desc_find(name);
	if (!desc)
		return emu_err_ptr(-ENOENT);
	obj = object_open(desc, opts, &err);
	if (!obj)
		return emu_err_ptr(err);
	return obj;
}

struct bpf_object *bpf_object__open(const char *path)
{
	return bpf_object__open_file(path, NULL);
}

const char *bpf_object__name(const struct bpf_object *obj)
{
	return obj ? obj->name : emu_err_ptr(-EINVAL);
}

/*
 * Undo a load as far as the object is concerned: close its program and map
 * fds (so the maps' usercnt drops, as the kernel's fput does) and drop its
 * references.  Bindings, globals and the claim on the native code stay with
 * the emu_globals until the last program reference is gone.
 */
static void object_unload(struct bpf_object *obj)
{
	uint32_t i;

	for (i = 0; i < obj->nr_progs; i++) {
		struct bpf_program *p = &obj->progs[i];

		if (p->fd >= 0)
			close(p->fd);
		p->fd = -1;
		emu_prog_put(p->prog);
		p->prog = NULL;
	}
	for (i = 0; i < obj->nr_maps; i++) {
		struct bpf_map *m = &obj->maps[i];

		if (!m->map)
			continue;
		if (m->fd >= 0)
			close(m->fd);
		m->fd = -1;
		emu_map_put(m->map);
		m->map = NULL;
	}
	emu_fd_reap();
	obj->loaded = false;
}

/* libbpf's map_is_reuse_compat(). */
static bool map_compat(const struct emu_map *m, const struct emu_map_attr *a)
{
	return m->map_type == a->map_type && m->key_size == a->key_size &&
	       m->value_size == a->value_size && m->max_entries == a->max_entries &&
	       m->map_flags == a->map_flags && m->map_extra == a->map_extra;
}

/* Bytes of a map definition, at least: each attribute the generator saw is
 * one pointer-sized member (__uint, __type and __array all declare one),
 * and `type` one more (bpfemu-gen), so that a definition has the two words
 * emu_map_bind_def writes even when `type` is its only attribute. */
static size_t def_size(const struct bpfemu_map_desc *d)
{
	return ((size_t)__builtin_popcount(d->present) + !!(d->present & BPFEMU_MA_TYPE)) *
	       sizeof(void *);
}

static int map_create(struct bpf_map *m)
{
	struct emu_map_attr attr = m->attr;
	const struct bpfemu_map_desc *inner = m->desc->inner;
	struct emu_map *map = NULL, *tmpl = NULL;
	int err = 0, inner_fd = -1;

	if (m->reuse_fd >= 0) {
		map = emu_fd_get(m->reuse_fd, EMU_OBJ_MAP, &err);
		if (!map)
			return err;
		emu_map_get(map);
		goto out_fd;
	}
	if (m->pin_path) {
		enum emu_obj_kind kind;

		map = emu_bpffs_get(m->pin_path, &kind, &err);
		if (map && kind != EMU_OBJ_MAP) {
			const struct emu_obj_ref_ops *ops = emu_fd_kind_ops(kind);

			if (ops)
				ops->put(map);
			return -EINVAL;
		}
		if (map) {
			/* emu_bpffs_get took a user reference; keep a plain one */
			emu_map_get(map);
			emu_map_put_uref(map);
			if (!map_compat(map, &attr)) {
				obj_warn("pinned_map_mismatch",
					 "couldn't reuse pinned map at '%s': parameter mismatch", m->pin_path);
				emu_map_put(map);
				return -EINVAL;
			}
			m->pinned = true;
			goto out_fd;
		}
		if (err != -ENOENT)
			return err;
	}
	if (m->inner_map_fd >= 0) {
		/* bpf_map__set_inner_map_fd: the user's template replaces the
		 * one libbpf would build from __array(values, ...) */
		attr.inner_map_fd = m->inner_map_fd;
	} else if (inner) {
		struct emu_map_attr ia;

		attr_from_desc(&ia, inner);
		tmpl = emu_map_create(&ia, &err);
		if (!tmpl) {
			obj_warn("map_create_failed", "map '%s': failed to create inner map: %d",
				 m->desc->name, err);
			return err;
		}
		inner_fd = emu_map_new_fd(tmpl, 0);
		if (inner_fd < 0) {
			emu_map_put(tmpl);
			return inner_fd;
		}
		attr.inner_map_fd = inner_fd;
	}
	map = emu_map_create(&attr, &err);
	if (inner_fd >= 0) {
		close(inner_fd);
		emu_map_put(tmpl);
	}
	if (!map) {
		obj_warn("map_create_failed", "map '%s': failed to create: %s(%d)",
			 m->desc->name, strerror(-err), err);
		return err;
	}
	if (m->pin_path) {
		err = emu_bpffs_pin(m->pin_path, EMU_OBJ_MAP, map);
		if (err) {
			emu_map_put(map);
			return err;
		}
		m->pinned = true;
	}
out_fd:
	m->fd = emu_map_new_fd(map, 0);
	if (m->fd < 0) {
		err = m->fd;
		emu_map_put(map);
		return err;
	}
	m->map = map;
	emu_globals_bind(m->obj->globals, m->desc->def, def_size(m->desc), map);
	return 0;
}

static bool is_tracing_old(int type)
{
	return type == BPF_PROG_TYPE_KPROBE || type == BPF_PROG_TYPE_TRACEPOINT ||
	       type == BPF_PROG_TYPE_PERF_EVENT || type == BPF_PROG_TYPE_RAW_TRACEPOINT ||
	       type == BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE;
}

#define EMU_MAX_USED_MAPS	64	/* MAX_USED_MAPS, include/linux/bpf_verifier.h */

/* What the verifier checks before a program may run, in its order. */
static int prog_check(struct bpf_program *p)
{
	const struct bpfemu_prog_desc *d = p->desc;
	uint32_t i;

	if (p->sec_err) {
		obj_warn("unknown_sec", "prog '%s': missing BPF prog type, check ELF section name '%s'",
			 d->name, d->sec);
		return -EINVAL;
	}
	/* check_map_prog_compatibility, while resolving map references */
	for (i = 0; i < d->nr_maps; i++) {
		const struct bpf_map *m = &p->obj->maps[d->maps[i]];
		uint32_t f;

		for (f = 0; f < m->attr.nr_fields; f++) {
			if (!is_tracing_old(p->sec.prog_type))
				break;
			if (m->attr.fields[f].kind == EMU_FIELD_TIMER || m->attr.fields[f].kind == EMU_FIELD_WQ) {
				obj_warn("tracing_prog_timer_map",
					 "prog '%s' (%s): tracing progs cannot use bpf_%s yet (map '%s')",
					 d->name, emu_prog_type_name(p->sec.prog_type),
					 m->attr.fields[f].kind == EMU_FIELD_TIMER ? "timer" : "wq",
					 m->desc->name);
				return -EINVAL;
			}
		}
	}
	/* resolve_pseudo_ldimm64 -> __add_used_map: at most MAX_USED_MAPS maps,
	 * libbpf's .bss/.data/.rodata maps included */
	if (d->nr_maps + d->nr_global_maps > EMU_MAX_USED_MAPS) {
		obj_warn("too_many_maps",
			 "prog '%s': uses %u maps (%u, and %u for global variables): The total number of maps per program has reached the limit of %u",
			 d->name, d->nr_maps + d->nr_global_maps, d->nr_maps, d->nr_global_maps,
			 EMU_MAX_USED_MAPS);
		return -E2BIG;
	}
	/* check_helper_call: availability for the type, then GPL */
	for (i = 0; i < d->nr_helpers; i++) {
		int id = d->helpers[i];

		if (!emu_helper_type_allowed(id, p->sec.prog_type)) {
			obj_warn("helper_not_allowed", "prog '%s' (%s): program of this type cannot use helper %s#%d",
				 d->name, emu_prog_type_name(p->sec.prog_type), emu_helper_name(id), id);
			return -EINVAL;
		}
		if (!p->obj->gpl && emu_helper_gpl_only(id)) {
			obj_warn("helper_gpl_only",
				 "prog '%s': cannot call GPL-restricted function %s from non-GPL compatible program",
				 d->name, emu_helper_name(id));
			return -EINVAL;
		}
	}
	return 0;
}

static int prog_load(struct bpf_program *p)
{
	struct emu_map *maps[EMU_MAX_USED_MAPS];
	uint32_t i, n = 0;
	int err;

	err = prog_check(p);
	if (err)
		return err;
	for (i = 0; i < p->desc->nr_maps && n < EMU_MAX_USED_MAPS; i++)
		if (p->obj->maps[p->desc->maps[i]].map)
			maps[n++] = p->obj->maps[p->desc->maps[i]].map;
	p->prog = emu_prog_new(p->desc->name, p->sec.prog_type, p->obj->globals, maps, n, p->desc->func);
	if (!p->prog)
		return -ENOMEM;
	p->prog->gpl = p->obj->gpl;
	p->prog->expected_attach_type = p->sec.attach_type;
	p->prog->sleepable = p->sec.sleepable;
	p->fd = emu_fd_new(EMU_OBJ_PROG, p->prog, 0);
	if (p->fd < 0) {
		err = p->fd;
		emu_prog_put(p->prog);
		p->prog = NULL;
		return err;
	}
	return 0;
}

int bpf_object__load(struct bpf_object *obj)
{
	uint32_t i;
	int err;

	emu_fd_reap();
	if (!obj)
		return emu_err(-EINVAL);
	if (obj->load_tried)
		return emu_err(-EINVAL);	/* libbpf: load can't be attempted twice */
	err = emu_globals_claim(obj->globals);
	if (err) {
		obj_warn("object_loaded_twice",
			 "object '%s' is already loaded; its native code has one set of maps and globals",
			 obj->desc->name);
		return emu_err(err);
	}
	obj->load_tried = true;
	for (i = 0; i < obj->nr_maps; i++) {
		if (!obj->maps[i].autocreate)
			continue;
		err = map_create(&obj->maps[i]);
		if (err)
			goto out_unload;
	}
	/* __array(values, ...) initial slots: [idx] = &map */
	for (i = 0; i < obj->nr_maps; i++) {
		const struct bpfemu_map_desc *d = obj->maps[i].desc;
		uint32_t k;

		for (k = 0; k < d->nr_init && obj->maps[i].fd >= 0; k++) {
			struct bpf_map *inner = bpf_object__find_map_by_name(obj, d->init_name[k]);
			__u32 key = d->init_idx[k];
			int ifd = inner ? inner->fd : -1;

			err = ifd < 0 ? -EINVAL : bpf_map_update_elem(obj->maps[i].fd, &key, &ifd, 0);
			if (err)
				goto out_unload;
		}
	}
	for (i = 0; i < obj->nr_progs; i++) {
		if (!obj->progs[i].sec.autoload)
			continue;
		err = prog_load(&obj->progs[i]);
		if (err)
			goto out_unload;
	}
	emu_globals_load(obj->globals);
	obj->loaded = true;
	return 0;

out_unload:
	object_unload(obj);
	/* No program ran: nothing else references the runtime state. */
	emu_globals_teardown(obj->globals);
	return emu_err(err);
}

void bpf_object__close(struct bpf_object *obj)
{
	if (!obj)
		return;
	object_unload(obj);
	object_free(obj);
}

struct bpf_map *bpf_object__find_map_by_name(const struct bpf_object *obj, const char *name)
{
	uint32_t i;

	if (!obj || !name)
		return emu_err_ptr(-EINVAL);
	for (i = 0; i < obj->nr_maps; i++)
		if (!strcmp(obj->maps[i].desc->name, name))
			return &obj->maps[i];
	return emu_err_ptr(-ENOENT);
}

int bpf_object__find_map_fd_by_name(const struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : emu_err(-ENOENT);
}

struct bpf_program *bpf_object__find_program_by_name(const struct bpf_object *obj, const char *name)
{
	uint32_t i;

	if (!obj || !name)
		return emu_err_ptr(-EINVAL);
	for (i = 0; i < obj->nr_progs; i++)
		if (!strcmp(obj->progs[i].desc->name, name))
			return &obj->progs[i];
	return emu_err_ptr(-ENOENT);
}

struct bpf_map *bpf_object__next_map(const struct bpf_object *obj, const struct bpf_map *map)
{
	uint32_t i;

	if (!obj)
		return NULL;
	i = map ? (uint32_t)(map - obj->maps) + 1 : 0;
	return i < obj->nr_maps ? &obj->maps[i] : NULL;
}

struct bpf_program *bpf_object__next_program(const struct bpf_object *obj, struct bpf_program *prog)
{
	uint32_t i;

	if (!obj)
		return NULL;
	i = prog ? (uint32_t)(prog - obj->progs) + 1 : 0;
	return i < obj->nr_progs ? &obj->progs[i] : NULL;
}

/* ------------------------------------------------------------------ maps */

int bpf_map__fd(const struct bpf_map *map)
{
	if (!map)
		return emu_err(-EINVAL);
	return map->fd >= 0 ? map->fd : emu_err(-EINVAL);
}

const char *bpf_map__name(const struct bpf_map *map)
{
	return map ? map->desc->name : NULL;
}

enum bpf_map_type bpf_map__type(const struct bpf_map *map)
{
	return map->attr.map_type;
}

__u32 bpf_map__key_size(const struct bpf_map *map)
{
	return map->attr.key_size;
}

__u32 bpf_map__value_size(const struct bpf_map *map)
{
	return map->attr.value_size;
}

__u32 bpf_map__max_entries(const struct bpf_map *map)
{
	return map->attr.max_entries;
}

__u32 bpf_map__map_flags(const struct bpf_map *map)
{
	return map->attr.map_flags;
}

/* libbpf: attributes can change only before load (-EBUSY after). */
#define MAP_SETTER(fn, field, type)					\
	int fn(struct bpf_map *map, type v)				\
	{								\
		if (!map)						\
			return emu_err(-EINVAL);			\
		if (map->obj->loaded)					\
			return emu_err(-EBUSY);				\
		map->attr.field = v;					\
		return 0;						\
	}
MAP_SETTER(bpf_map__set_type, map_type, enum bpf_map_type)
MAP_SETTER(bpf_map__set_key_size, key_size, __u32)
MAP_SETTER(bpf_map__set_value_size, value_size, __u32)
MAP_SETTER(bpf_map__set_max_entries, max_entries, __u32)
MAP_SETTER(bpf_map__set_map_flags, map_flags, __u32)

int bpf_map__set_autocreate(struct bpf_map *map, bool autocreate)
{
	if (!map)
		return emu_err(-EINVAL);
	if (map->obj->loaded)
		return emu_err(-EBUSY);
	map->autocreate = autocreate;
	return 0;
}

int bpf_map__set_pin_path(struct bpf_map *map, const char *path)
{
	char *p = NULL;

	if (!map)
		return emu_err(-EINVAL);
	if (path) {
		p = emu_strdup(path);
		if (!p)
			return emu_err(-ENOMEM);
	}
	emu_free(map->pin_path);
	map->pin_path = p;
	return 0;
}

const char *bpf_map__pin_path(const struct bpf_map *map)
{
	return map ? map->pin_path : NULL;
}

bool bpf_map__is_pinned(const struct bpf_map *map)
{
	return map && map->pinned;
}

int bpf_map__pin(struct bpf_map *map, const char *path)
{
	int err;

	if (!map)
		return emu_err(-EINVAL);
	if (map->pin_path && path && strcmp(path, map->pin_path))
		return emu_err(-EINVAL);	/* libbpf: already has a different pin path */
	if (map->pinned)
		return 0;
	if (!path)
		path = map->pin_path;
	if (!path || !map->map)
		return emu_err(-EINVAL);
	err = emu_bpffs_pin(path, EMU_OBJ_MAP, map->map);
	if (err)
		return emu_err(err);
	if (path != map->pin_path) {
		err = bpf_map__set_pin_path(map, path);
		if (err)
			return err;
	}
	map->pinned = true;
	return 0;
}

int bpf_map__unpin(struct bpf_map *map, const char *path)
{
	int err;

	if (!map)
		return emu_err(-EINVAL);
	if (map->pin_path && path && strcmp(path, map->pin_path))
		return emu_err(-EINVAL);
	if (!path)
		path = map->pin_path;
	if (!path)
		return emu_err(-EINVAL);
	err = emu_bpffs_unpin(path);
	if (err)
		return emu_err(err);
	map->pinned = false;
	return 0;
}

/* A copy of map fd @fd for the object to keep (the caller may close
 * theirs at once), its map in *@mapp if asked; or -errno. */
static int dup_map_fd(int fd, struct emu_map **mapp)
{
	struct emu_map *m;
	int err = 0, nfd;

	m = emu_fd_get(fd, EMU_OBJ_MAP, &err);
	if (!m)
		return err;
	nfd = dup(fd);
	if (nfd < 0)
		return -errno;
	if (mapp)
		*mapp = m;
	return nfd;
}

int bpf_map__reuse_fd(struct bpf_map *map, int fd)
{
	struct emu_map *m = NULL;
	int nfd;

	if (!map)
		return emu_err(-EINVAL);
	if (map->obj->loaded)
		return emu_err(-EBUSY);
	nfd = dup_map_fd(fd, &m);
	if (nfd < 0)
		return emu_err(nfd);
	if (map->reuse_fd >= 0)
		close(map->reuse_fd);
	map->reuse_fd = nfd;
	map->attr.map_type = m->map_type;
	map->attr.key_size = m->key_size;
	map->attr.value_size = m->value_size;
	map->attr.max_entries = m->max_entries;
	map->attr.map_flags = m->map_flags;
	return 0;
}

/*
 * libbpf's: the inner map template of an ARRAY_OF_MAPS / HASH_OF_MAPS is
 * the map behind @fd instead of one built from __array(values, ...) -- for
 * a template libbpf cannot build (a ring whose size is set at run time), or
 * a definition without __array.  Once per map (-EINVAL the second time), on
 * a map-in-map only (-EINVAL).  libbpf uses the caller's fd at load; we keep
 * a dup of it, so the caller may close theirs at once.
 */
int bpf_map__set_inner_map_fd(struct bpf_map *map, int fd)
{
	int nfd;

	if (!map)
		return emu_err(-EINVAL);
	if (map->attr.map_type != BPF_MAP_TYPE_ARRAY_OF_MAPS &&
	    map->attr.map_type != BPF_MAP_TYPE_HASH_OF_MAPS) {
		obj_warn("bad_inner_map", "error: unsupported map type");
		return emu_err(-EINVAL);
	}
	if (map->inner_map_fd >= 0) {
		obj_warn("bad_inner_map", "error: inner_map_fd already specified");
		return emu_err(-EINVAL);
	}
	nfd = dup_map_fd(fd, NULL);
	if (nfd < 0)
		return emu_err(nfd);
	map->inner_map_fd = nfd;
	return 0;
}

/* -------------------------------------------------------------- programs */

int bpf_program__fd(const struct bpf_program *prog)
{
	if (!prog)
		return emu_err(-EINVAL);
	return prog->fd >= 0 ? prog->fd : emu_err(-EINVAL);
}

const char *bpf_program__name(const struct bpf_program *prog)
{
	return prog ? prog->desc->name : NULL;
}

const char *bpf_program__section_name(const struct bpf_program *prog)
{
	return prog ? prog->desc->sec : NULL;
}

enum bpf_prog_type bpf_program__type(const struct bpf_program *prog)
{
	return prog && !prog->sec_err ? prog->sec.prog_type : BPF_PROG_TYPE_UNSPEC;
}

int bpf_program__set_type(struct bpf_program *prog, enum bpf_prog_type type)
{
	if (!prog)
		return emu_err(-EINVAL);
	if (prog->obj->loaded)
		return emu_err(-EBUSY);
	prog->sec.prog_type = type;
	prog->sec_err = 0;
	return 0;
}

enum bpf_attach_type bpf_program__expected_attach_type(const struct bpf_program *prog)
{
	return prog ? prog->sec.attach_type : 0;
}

bool bpf_program__autoload(const struct bpf_program *prog)
{
	return prog && prog->sec.autoload;
}

int bpf_program__set_autoload(struct bpf_program *prog, bool autoload)
{
	if (!prog)
		return emu_err(-EINVAL);
	if (prog->obj->loaded)
		return emu_err(-EINVAL);
	prog->sec.autoload = autoload;
	return 0;
}

/* Program types libbpf can attach from the SEC name alone. */
static bool auto_attachable(const struct bpf_program *prog)
{
	switch (prog->sec.prog_type) {
	case BPF_PROG_TYPE_KPROBE:
	case BPF_PROG_TYPE_TRACEPOINT:
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
	case BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE:
	case BPF_PROG_TYPE_TRACING:
	case BPF_PROG_TYPE_LSM:
		return true;
	default:
		return false;
	}
}

/*
 * Nothing in user space fires kernel attach points, so a link only records
 * that the program is attached; tests run programs with
 * bpf_prog_test_run_opts.
 */
struct bpf_link *bpf_program__attach(const struct bpf_program *prog)
{
	struct bpf_link *link;

	emu_fd_reap();
	if (!prog || !prog->prog)
		return emu_err_ptr(-EINVAL);
	if (!auto_attachable(prog))
		return emu_err_ptr(-EOPNOTSUPP);
	link = emu_calloc(1, sizeof(*link));
	if (!link)
		return emu_err_ptr(-ENOMEM);
	link->prog = prog->prog;
	emu_prog_get(link->prog);
	return link;
}

int bpf_link__destroy(struct bpf_link *link)
{
	if (!link)
		return 0;
	emu_prog_put(link->prog);
	emu_free(link);
	return 0;
}

int bpf_link__fd(const struct bpf_link *link)
{
	(void)link;
	return emu_err(-EINVAL);
}

/* ------------------------------------------------------------ skeletons */

int bpf_object__open_skeleton(struct bpf_object_skeleton *s, const struct bpf_object_open_opts *opts)
{
	struct bpf_object *obj;
	int i, err = 0;

	emu_fd_reap();
	if (!s || !s->data || !s->obj)
		return emu_err(-EINVAL);
	obj = object_open(s->data, opts, &err);
	if (!obj)
		return emu_err(err);
	*s->obj = obj;
	for (i = 0; i < s->map_cnt; i++) {
		struct bpf_map_skeleton *ms = (void *)((char *)s->maps + i * s->map_skel_sz);

		if (ms->name[0] == '.') {
			int sec = !strcmp(ms->name, ".bss") ? BPFEMU_SEC_BSS :
				  !strcmp(ms->name, ".data") ? BPFEMU_SEC_DATA : BPFEMU_SEC_RODATA;

			if (ms->mmaped)
				*ms->mmaped = emu_globals_buf(obj->globals, sec);
			continue;
		}
		*ms->map = bpf_object__find_map_by_name(obj, ms->name);
		if (!*ms->map)
			return emu_err(-ESRCH);
	}
	for (i = 0; i < s->prog_cnt; i++) {
		struct bpf_prog_skeleton *ps = (void *)((char *)s->progs + i * s->prog_skel_sz);

		*ps->prog = bpf_object__find_program_by_name(obj, ps->name);
		if (!*ps->prog)
			return emu_err(-ESRCH);
	}
	return 0;
}

int bpf_object__load_skeleton(struct bpf_object_skeleton *s)
{
	if (!s || !s->obj)
		return emu_err(-EINVAL);
	return bpf_object__load(*s->obj);
}

int bpf_object__attach_skeleton(struct bpf_object_skeleton *s)
{
	int i;

	if (!s)
		return emu_err(-EINVAL);
	for (i = 0; i < s->prog_cnt; i++) {
		struct bpf_prog_skeleton *ps = (void *)((char *)s->progs + i * s->prog_skel_sz);
		struct bpf_program *p = *ps->prog;

		if (!p || !p->prog || !auto_attachable(p) || *ps->link)
			continue;
		*ps->link = bpf_program__attach(p);
		if (!*ps->link)
			return emu_err(-errno);
	}
	return 0;
}

void bpf_object__detach_skeleton(struct bpf_object_skeleton *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < s->prog_cnt; i++) {
		struct bpf_prog_skeleton *ps = (void *)((char *)s->progs + i * s->prog_skel_sz);

		bpf_link__destroy(*ps->link);
		*ps->link = NULL;
	}
}

void bpf_object__destroy_skeleton(struct bpf_object_skeleton *s)
{
	if (!s)
		return;
	bpf_object__detach_skeleton(s);
	if (s->obj)
		bpf_object__close(*s->obj);
	/* skeletons are allocated by the generated header with calloc */
	free(s->maps);
	free(s->progs);
	free(s);
}

/* ------------------------------------------------------------ test runs */


int bpf_prog_test_run_opts(int prog_fd, struct bpf_test_run_opts *opts)
{
	struct emu_prog *prog;
	struct emu_pkt pkt;
	bool has_pkt = false;
	struct emu_prog_call a;
	void *ctx_buf = NULL, *data = NULL;
	unsigned long long no_args[12] = { 0 };
	uint32_t repeat, ctx_size = 0;
	uint64_t t0, total = 0;
	long ret = 0;
	int err = 0, type;
	bool batch;

	emu_fd_reap();
	if (!opts || opts->sz < offsetof(struct bpf_test_run_opts, retval))
		return emu_err(-EINVAL);
	/* bpf_prog_test_run (kernel/bpf/syscall.c), before the fd: a
	 * context buffer and its size come together, in and out. */
	if (!opts->ctx_size_in != !opts->ctx_in || !opts->ctx_size_out != !opts->ctx_out)
		return emu_err(-EINVAL);
	prog = emu_fd_get(prog_fd, EMU_OBJ_PROG, &err);
	if (!prog)
		return emu_err(err);
	if (!prog->func)
		return emu_err(-ENOTSUPP);
	type = prog->type;
	repeat = opts->repeat > 0 ? (uint32_t)opts->repeat : 1;

	if (emu_pkt_prog_type(type)) {
		/* bpf_prog_test_run_skb / _xdp: emu/packet.h */
		err = emu_pkt_prepare(&pkt, type, opts);
		if (err)
			return emu_err(err);
		has_pkt = true;
		ctx_buf = &pkt.ctx;
		ctx_size = type == BPF_PROG_TYPE_XDP ? sizeof(struct xdp_md) : sizeof(struct __sk_buff);
	} else if (type == BPF_PROG_TYPE_SYSCALL) {
		/*
		 * bpf_prog_test_run_syscall (net/bpf/test_run.c): no data,
		 * no ctx_out, no repeat, flags or batch; at most U16_MAX
		 * bytes of context, which the program may change and which
		 * is copied back into ctx_in.  ctx_size_out, data_size_out
		 * and duration are not written (libbpf hands back what it
		 * passed: the caller's values, duration 0).  Checked on
		 * 6.18.  Not emulated: -EINVAL for a context shorter than
		 * the largest offset the program reads (max_ctx_offset).
		 */
		if (opts->data_in || opts->data_out || opts->ctx_out || opts->repeat ||
		    opts->flags || (opts->sz > offsetof(struct bpf_test_run_opts, batch_size) &&
				    opts->batch_size))
			return emu_err(-EINVAL);
		if (opts->ctx_size_in > UINT16_MAX)
			return emu_err(-EINVAL);
		if (opts->ctx_size_in) {
			ctx_buf = emu_malloc(opts->ctx_size_in);
			if (!ctx_buf)
				return emu_err(-ENOMEM);
			memcpy(ctx_buf, opts->ctx_in, opts->ctx_size_in);
			ctx_size = opts->ctx_size_in;
			data = ctx_buf;	/* freed below */
		}
	} else if (type == BPF_PROG_TYPE_TRACING || type == BPF_PROG_TYPE_RAW_TRACEPOINT ||
		   type == BPF_PROG_TYPE_UNSPEC) {
		if (opts->data_in || opts->data_out || opts->data_size_in)
			return emu_err(-EINVAL);
		if (opts->ctx_size_in) {
			if (!opts->ctx_in)
				return emu_err(-EINVAL);
			ctx_buf = emu_malloc(opts->ctx_size_in);
			if (!ctx_buf)
				return emu_err(-ENOMEM);
			memcpy(ctx_buf, opts->ctx_in, opts->ctx_size_in);
			ctx_size = opts->ctx_size_in;
			data = ctx_buf;	/* freed below */
		} else if (type == BPF_PROG_TYPE_TRACING) {
			/* A kernel fentry/fexit test_run takes no context: it
			 * calls its bpf_fentry_test functions, so an attached
			 * program always has arguments to read.  Without
			 * ctx_in ours read zeros (BPF_PROG's ctx[0..11]), not
			 * a NULL context. */
			ctx_buf = no_args;
		}
	} else {
		/* the kernel has no test_run for this program type */
		return emu_err(-ENOTSUPP);
	}

	if (opts->sz > offsetof(struct bpf_test_run_opts, cpu))
		emu_ctx.cpu = (opts->flags & 1u) ? (int)opts->cpu : 0;
	a.func = prog->func;
	a.ctx = ctx_buf;
	/* The repetitions are one batch (ctx.h), as the kernel's bpf_test_run
	 * loop is one syscall: fds reaped and the read side entered once, not
	 * per run; a grace period a run's deletes wait on still passes between
	 * two runs.  Timed as a whole, as the kernel times its loop. */
	batch = repeat > 1 && !emu_ctx.batch && !emu_in_bpf();
	if (batch)
		emu_run_batch_begin();
	if (has_pkt)
		emu_pkt_enter(&pkt);
	t0 = emu_clock_host_now(EMU_CLOCK_MONOTONIC);
	err = emu_run_repeat(prog, emu_prog_call_fn, &a, repeat, &ret);
	total = emu_clock_host_now(EMU_CLOCK_MONOTONIC) - t0;
	if (has_pkt)
		emu_pkt_leave(&pkt);
	if (batch)
		emu_run_batch_end();
	if (err)
		goto out_free;
	opts->retval = (__u32)ret;
	if (type == BPF_PROG_TYPE_SYSCALL) {
		opts->duration = 0;
		if (ctx_size)
			memcpy((void *)opts->ctx_in, ctx_buf, ctx_size);
		goto out_free;
	}
	opts->duration = (__u32)(total / repeat);
	if (has_pkt) {
		err = emu_pkt_finish(&pkt, opts);
		goto out_free;
	}
	if (opts->ctx_out && ctx_buf && ctx_size) {
		uint32_t n = ctx_size < opts->ctx_size_out ? ctx_size : opts->ctx_size_out;

		memcpy(opts->ctx_out, ctx_buf, n);
		opts->ctx_size_out = ctx_size;
		if (n < ctx_size)
			err = -ENOSPC;
	}
	if (opts->data_out && data && data != ctx_buf) {
		uint32_t n = opts->data_size_in;

		if (opts->data_size_out && opts->data_size_out < n) {
			n = opts->data_size_out;
			err = -ENOSPC;
		}
		memcpy(opts->data_out, data, n);
		opts->data_size_out = opts->data_size_in;
	}
out_free:
	if (has_pkt)
		emu_pkt_release(&pkt);
	emu_free(data);
	return emu_err(err);
}

int bpf_prog_get_info_by_fd(int prog_fd, struct bpf_prog_info *info, __u32 *info_len)
{
	return emu_err(emu_fd_get_info(prog_fd, info, info_len));
}

int bpf_enable_stats(enum bpf_stats_type type)
{
	/* bpf_enable_stats(): the one type there is, then an fd whose last
	 * close turns the counting off again */
	if (type != BPF_STATS_RUN_TIME)
		return emu_err(-EINVAL);
	return emu_err(emu_prog_stats_enable());
}
