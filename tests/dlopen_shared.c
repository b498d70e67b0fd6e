// SPDX-License-Identifier: MIT
/*
 * A shared libbpfemu loads with dlopen() -- as a plugin's dependency or from
 * Python's ctypes -- and works: no initial-exec thread-local may have put
 * the library's TLS in the static block, which a module loaded after start
 * cannot get (emu/ctx.h).  Usage: dlopen_shared path/to/libbpfemu.so
 */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	long (*live_objects)(void);
	long long (*cgroup_create)(const char *path);
	void *lib;

	if (argc != 2) {
		fprintf(stderr, "usage: %s LIBBPFEMU_SO\n", argv[0]);
		return 2;
	}
	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 1;
	}
	*(void **)&live_objects = dlsym(lib, "bpfemu_live_objects");
	*(void **)&cgroup_create = dlsym(lib, "bpfemu_cgroup_create");
	if (!live_objects || !cgroup_create) {
		fprintf(stderr, "dlsym: %s\n", dlerror());
		return 1;
	}
	/* something that touches the thread-locals and allocates */
	if (cgroup_create("/dlopen") <= 0 || live_objects() <= 0) {
		fprintf(stderr, "the library does not work after dlopen\n");
		return 1;
	}
	printf("dlopen ok: %ld live objects\n", live_objects());
	dlclose(lib);
	return 0;
}
