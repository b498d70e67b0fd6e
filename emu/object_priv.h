/* SPDX-License-Identifier: MIT */
/*
 * Private to the native-compilation area (prog.c, object.c,
 * libbpf_object.c, helper_table.c, sec_table.c): the layout of programs,
 * objects and their globals.  Helper families use emu/prog.h only.
 *
 * Ownership, as the kernel has it for a bpf_prog:
 *   bpf_object    --ref-->  emu_globals (the loaded instance's runtime state)
 *   bpf_object    --ref-->  emu_prog (each program, through its fd)
 *   prog fd (and every dup(2) of it), link, timer set_callback --ref--> emu_prog
 *   emu_prog      --ref-->  emu_globals, every map it uses
 *   emu_globals   --ref-->  every map bound to a definition (refcnt only)
 * bpf_object__close() closes the user fds (maps' usercnt drops as on the
 * kernel) and drops its references; the bound definitions, the globals and
 * the claim on the native code live until the last program reference is
 * gone, so a program kept by a dup'd fd, a link or a pending timer still
 * runs and still resolves &map.
 */
#ifndef BPFEMU_EMU_OBJECT_PRIV_H
#define BPFEMU_EMU_OBJECT_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <bpfemu/gen.h>

#include "lock.h"
#include "map.h"
#include "prog.h"

/*
 * The runtime's copy of one object's .bss/.data/.rodata: the buffers
 * skel->bss etc. point at.  The BPF code's own variables are synced with
 * them at each outermost entry (see emu_globals_sync_in/out).
 */
struct emu_globals_sec {
	const struct bpfemu_sec_desc *desc;
	unsigned char *buf;		/* what user space sees (skel->bss) */
	unsigned char *shadow;		/* buf as of the last sync */
};

/* A map definition of the native code bound to a map (emu_map_bind_def). */
struct emu_globals_bind {
	void *def;
	struct emu_map *map;		/* refcnt held */
};

struct emu_globals {
	atomic_long refcnt;
	struct emu_lock lock;		/* short copies only (emu/lock.h) */
	uint32_t nr_secs;
	uint32_t nr_sync_vars;		/* .data/.bss variables runs copy in and out */
	struct emu_globals_sec secs[BPFEMU_SEC_NR];
	const struct bpfemu_obj_desc *desc;
	bool loaded;			/* rodata went into the variables */
	bool claimed;			/* holds the desc (emu_object_desc_claim) */
	struct emu_globals_bind *binds;	/* desc->nr_maps slots */
	uint32_t nr_binds;
};

struct emu_globals *emu_globals_new(const struct bpfemu_obj_desc *desc);
void emu_globals_get(struct emu_globals *g);
void emu_globals_put(struct emu_globals *g);
void emu_globals_load(struct emu_globals *g);
/* Claim the object's native code for this instance: 0 or -EBUSY. */
int emu_globals_claim(struct emu_globals *g);
/* Bind definition @def to @map (takes a refcnt on @map until teardown). */
/* @def_size: bytes of the definition (emu_map_bind_def). */
void emu_globals_bind(struct emu_globals *g, void *def, size_t def_size, struct emu_map *map);
/*
 * Undo bind/claim/load now: unbind every definition, drop those maps, put
 * the variables back to their initial values, release the claim.  Done by
 * the last emu_globals_put(); a failed load calls it early.
 */
void emu_globals_teardown(struct emu_globals *g);
void emu_globals_sync_in(struct emu_globals *g);
void emu_globals_sync_out(struct emu_globals *g);
/* Buffer of section @sec (enum bpfemu_sec), NULL if the object has none. */
void *emu_globals_buf(struct emu_globals *g, int sec);

struct emu_prog {
	atomic_long refcnt;
	char *name;
	int type;			/* enum bpf_prog_type */
	int expected_attach_type;
	uint32_t id;
	bool gpl;
	bool sleepable;
	void *func;			/* native entry, NULL for bare programs */
	struct emu_globals *globals;	/* NULL for bare programs */
	struct emu_map **maps;		/* maps the program references (refs held) */
	uint32_t nr_maps;
	atomic_ullong run_cnt;
	atomic_ullong run_time_ns;
	struct emu_rcu_head free_rcu;	/* the last put's deferred free */
};

/* A loaded program of an object; takes references on @globals and @maps. */
struct emu_prog *emu_prog_new(const char *name, int prog_type, struct emu_globals *globals,
			      struct emu_map **maps, uint32_t nr_maps, void *func);

/* Registry of generated objects (object.c). */
struct bpfemu_obj_desc *emu_object_desc_find(const char *name);
int emu_object_desc_claim(const struct bpfemu_obj_desc *desc, void *owner);
void emu_object_desc_release(const struct bpfemu_obj_desc *desc, void *owner);

/* Helper metadata (helper_table.c). */
const char *emu_helper_name(int func_id);
bool emu_helper_gpl_only(int func_id);
bool emu_helper_emulated(int func_id);
/* Reject the run: @func_id is a helper bpfemu does not emulate. */
long emu_helper_not_emulated(int func_id);
bool emu_helper_type_allowed(int func_id, int prog_type);
const char *emu_prog_type_name(int prog_type);

/* SEC() resolution (sec_table.c). */
struct emu_sec_def {
	int prog_type;
	int attach_type;
	bool sleepable;
	bool autoload;			/* false for a leading '?' */
};
int emu_sec_resolve(const char *sec, struct emu_sec_def *def);

#endif /* BPFEMU_EMU_OBJECT_PRIV_H */
