/* SPDX-License-Identifier: MIT */
/*
 * libbpf's user-space object API (<bpf/libbpf.h>) over natively compiled
 * BPF objects: the calls a skeleton and its test make.  Objects, maps,
 * programs and links are opaque, as in libbpf; every call returns a
 * negative errno and sets errno, or NULL and sets errno.
 */
#ifndef __LIBBPF_LIBBPF_H
#define __LIBBPF_LIBBPF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>
#include <bpf/libbpf_common.h>
#include <bpf/bpf.h>
#include <bpfemu/libbpf_ringbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

enum libbpf_print_level {
	LIBBPF_WARN,
	LIBBPF_INFO,
	LIBBPF_DEBUG,
};

typedef int (*libbpf_print_fn_t)(enum libbpf_print_level level,
				 const char *, va_list ap);

/*
 * Install @fn for libbpf-level messages (bpfemu's object loader warnings,
 * also recorded as diagnostics); returns the previous one.  NULL silences
 * them.  Until a first call, messages go to stderr as bpfemu diagnostics.
 */
LIBBPF_API libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn);

/* Number of possible CPUs: bpfemu's emulated count (bpfemu_set_nr_cpus). */
LIBBPF_API int libbpf_num_possible_cpus(void);

struct bpf_object;
struct bpf_map;
struct bpf_program;
struct bpf_link;

struct bpf_object_open_opts {
	size_t sz;
	/* object name; default: the generated object's name */
	const char *object_name;
	bool relaxed_maps;
	/* LIBBPF_PIN_BY_NAME maps are pinned under this; default /sys/fs/bpf */
	const char *pin_root_path;
	__u32 :32;
	const char *kconfig;
	const char *btf_custom_path;
	char *kernel_log_buf;
	size_t kernel_log_size;
	__u32 kernel_log_level;
	size_t :0;
};
#define bpf_object_open_opts__last_field kernel_log_level

/* Opens an object bpfemu-gen registered under the file's base name
 * ("dir/X.bpf.o" or "X.o" -> object X). */
LIBBPF_API struct bpf_object *bpf_object__open(const char *path);
LIBBPF_API struct bpf_object *bpf_object__open_file(const char *path,
						   const struct bpf_object_open_opts *opts);
LIBBPF_API int bpf_object__load(struct bpf_object *obj);
LIBBPF_API void bpf_object__close(struct bpf_object *obj);
LIBBPF_API const char *bpf_object__name(const struct bpf_object *obj);
LIBBPF_API struct bpf_map *bpf_object__find_map_by_name(const struct bpf_object *obj,
							const char *name);
LIBBPF_API int bpf_object__find_map_fd_by_name(const struct bpf_object *obj, const char *name);
LIBBPF_API struct bpf_program *bpf_object__find_program_by_name(const struct bpf_object *obj,
								const char *name);
LIBBPF_API struct bpf_map *bpf_object__next_map(const struct bpf_object *obj,
						const struct bpf_map *map);
LIBBPF_API struct bpf_program *bpf_object__next_program(const struct bpf_object *obj,
							struct bpf_program *prog);
#define bpf_object__for_each_map(pos, obj)			\
	for ((pos) = bpf_object__next_map((obj), NULL);		\
	     (pos) != NULL;					\
	     (pos) = bpf_object__next_map((obj), (pos)))
#define bpf_object__for_each_program(pos, obj)			\
	for ((pos) = bpf_object__next_program((obj), NULL);	\
	     (pos) != NULL;					\
	     (pos) = bpf_object__next_program((obj), (pos)))

LIBBPF_API int bpf_map__fd(const struct bpf_map *map);
LIBBPF_API const char *bpf_map__name(const struct bpf_map *map);
LIBBPF_API enum bpf_map_type bpf_map__type(const struct bpf_map *map);
LIBBPF_API int bpf_map__set_type(struct bpf_map *map, enum bpf_map_type type);
LIBBPF_API __u32 bpf_map__key_size(const struct bpf_map *map);
LIBBPF_API int bpf_map__set_key_size(struct bpf_map *map, __u32 size);
LIBBPF_API __u32 bpf_map__value_size(const struct bpf_map *map);
LIBBPF_API int bpf_map__set_value_size(struct bpf_map *map, __u32 size);
LIBBPF_API __u32 bpf_map__max_entries(const struct bpf_map *map);
LIBBPF_API int bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries);
LIBBPF_API __u32 bpf_map__map_flags(const struct bpf_map *map);
LIBBPF_API int bpf_map__set_map_flags(struct bpf_map *map, __u32 flags);
LIBBPF_API int bpf_map__set_pin_path(struct bpf_map *map, const char *path);
LIBBPF_API const char *bpf_map__pin_path(const struct bpf_map *map);
LIBBPF_API bool bpf_map__is_pinned(const struct bpf_map *map);
LIBBPF_API int bpf_map__pin(struct bpf_map *map, const char *path);
LIBBPF_API int bpf_map__unpin(struct bpf_map *map, const char *path);
LIBBPF_API int bpf_map__reuse_fd(struct bpf_map *map, int fd);
LIBBPF_API int bpf_map__set_inner_map_fd(struct bpf_map *map, int fd);
LIBBPF_API int bpf_map__set_autocreate(struct bpf_map *map, bool autocreate);

LIBBPF_API int bpf_program__fd(const struct bpf_program *prog);
LIBBPF_API const char *bpf_program__name(const struct bpf_program *prog);
LIBBPF_API const char *bpf_program__section_name(const struct bpf_program *prog);
LIBBPF_API enum bpf_prog_type bpf_program__type(const struct bpf_program *prog);
LIBBPF_API int bpf_program__set_type(struct bpf_program *prog, enum bpf_prog_type type);
LIBBPF_API enum bpf_attach_type bpf_program__expected_attach_type(const struct bpf_program *prog);
LIBBPF_API bool bpf_program__autoload(const struct bpf_program *prog);
LIBBPF_API int bpf_program__set_autoload(struct bpf_program *prog, bool autoload);
LIBBPF_API struct bpf_link *bpf_program__attach(const struct bpf_program *prog);

LIBBPF_API int bpf_link__destroy(struct bpf_link *link);
LIBBPF_API int bpf_link__fd(const struct bpf_link *link);

/* What bpftool's skeletons hand to libbpf; data is the generated object. */
struct bpf_map_skeleton {
	const char *name;
	struct bpf_map **map;
	void **mmaped;
};

struct bpf_prog_skeleton {
	const char *name;
	struct bpf_program **prog;
	struct bpf_link **link;
};

struct bpf_object_skeleton {
	size_t sz;
	const char *name;
	const void *data;
	size_t data_sz;
	struct bpf_object **obj;
	int map_cnt;
	int map_skel_sz;
	struct bpf_map_skeleton *maps;
	int prog_cnt;
	int prog_skel_sz;
	struct bpf_prog_skeleton *progs;
};

LIBBPF_API int bpf_object__open_skeleton(struct bpf_object_skeleton *s,
					 const struct bpf_object_open_opts *opts);
LIBBPF_API int bpf_object__load_skeleton(struct bpf_object_skeleton *s);
LIBBPF_API int bpf_object__attach_skeleton(struct bpf_object_skeleton *s);
LIBBPF_API void bpf_object__detach_skeleton(struct bpf_object_skeleton *s);
LIBBPF_API void bpf_object__destroy_skeleton(struct bpf_object_skeleton *s);


#ifdef __cplusplus
}
#endif

#endif /* __LIBBPF_LIBBPF_H */
