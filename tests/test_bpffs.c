// SPDX-License-Identifier: MIT
/* The emulated bpffs: pins hold user references; errors as on 6.18. */
#include <fcntl.h>

#include "test_map_util.h"

static void test_pin_errors_as_the_kernel_gives_them(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	int f = open("/dev/null", O_RDONLY);

	(void)state;
	/* whatever is wrong with the fd: -EINVAL (bpf_fd_probe_obj) */
	assert_int_equal(bpf_obj_pin(9999, "/sys/fs/bpf/x"), -EINVAL);
	assert_int_equal(bpf_obj_pin(f, "/sys/fs/bpf/x"), -EINVAL);
	assert_int_equal(bpf_obj_pin(fd, "/tmp"), -EEXIST);
	assert_int_equal(bpf_obj_pin(fd, "/nonexistent-bpfemu/x"), -ENOENT);
	assert_int_equal(bpf_obj_pin(fd, "/tmp/bpfemu-not-bpffs-pin"), -EPERM);
	assert_int_equal(bpf_obj_pin(fd, "/sys/fs/bpf/nodir/x"), -ENOENT);
	assert_int_equal(bpf_obj_pin(fd, "/sys/fs/bpf"), -EEXIST);
	assert_int_equal(bpf_obj_pin(fd, "/sys/fs/bpf/x"), 0);
	assert_int_equal(bpf_obj_pin(fd, "/sys/fs/bpf//x/"), -EEXIST);
	assert_int_equal(bpf_obj_pin(fd, "/sys/fs/bpf/x/y"), -ENOTDIR);
	assert_int_equal(bpfemu_bpffs_pin_count(), 1);
	assert_int_equal(bpfemu_bpffs_unlink("/sys/fs/bpf/x"), 0);
	assert_int_equal(bpfemu_bpffs_unlink("/sys/fs/bpf/x"), -ENOENT);
	assert_int_equal(errno, ENOENT);
	close(f);
	close(fd);
}

static void test_obj_get_errors_as_the_kernel_gives_them(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);

	(void)state;
	assert_int_equal(bpf_obj_get("/dev/null"), -EACCES);
	assert_int_equal(bpf_obj_get("/sys/fs/bpf"), -EACCES);
	assert_int_equal(bpf_obj_get("/sys/fs/bpf/missing"), -ENOENT);
	assert_int_equal(bpf_obj_get("/nonexistent-bpfemu/x"), -ENOENT);
	assert_int_equal(bpf_obj_pin(fd, "/sys/fs/bpf/m"), 0);
	assert_int_equal(bpf_obj_get("/sys/fs/bpf/m/y"), -ENOTDIR);
	{
		LIBBPF_OPTS(bpf_obj_get_opts, o, .file_flags = BPF_F_RDONLY | BPF_F_WRONLY);

		assert_int_equal(bpf_obj_get_opts("/sys/fs/bpf/m", &o), -EINVAL);
		o.file_flags = BPF_F_NO_PREALLOC;
		assert_int_equal(bpf_obj_get_opts("/sys/fs/bpf/m", &o), -EINVAL);
		o.file_flags = 0;
		o.path_fd = 3;
		assert_int_equal(bpf_obj_get_opts("/sys/fs/bpf/m", &o), -EINVAL);
	}
	close(fd);
}

static void test_pin_keeps_the_map_and_its_user_reference(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	struct emu_map *m = map_of(fd);
	uint32_t k = 1;
	uint64_t v = 77;
	int fd2;

	(void)state;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	assert_int_equal(bpf_obj_pin(fd, "/sys/fs/bpf/keep"), 0);
	assert_int_equal(atomic_load(&m->usercnt), 2);
	close(fd);
	emu_fd_reap();
	assert_int_equal(atomic_load(&m->usercnt), 1);
	fd2 = bpf_obj_get("/sys/fs/bpf/keep");
	assert_true(fd2 >= 0);
	assert_ptr_equal(map_of(fd2), m);
	assert_int_equal(atomic_load(&m->usercnt), 2);
	v = 0;
	assert_int_equal(bpf_map_lookup_elem(fd2, &k, &v), 0);
	assert_int_equal(v, 77);
	assert_int_equal(bpfemu_bpffs_unlink("/sys/fs/bpf/keep"), 0);
	assert_int_equal(atomic_load(&m->usercnt), 1);
	close(fd2);
	emu_fd_reap();
	assert_int_equal(bpfemu_live_objects(), 0);
}

static void test_obj_get_rdonly_fd_cannot_write(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	LIBBPF_OPTS(bpf_obj_get_opts, o, .file_flags = BPF_F_RDONLY);
	uint32_t k = 1;
	uint64_t v = 1;
	int ro;

	(void)state;
	assert_int_equal(bpf_obj_pin(fd, "/sys/fs/bpf/ro"), 0);
	ro = bpf_obj_get_opts("/sys/fs/bpf/ro", &o);
	assert_true(ro >= 0);
	assert_int_equal(bpf_map_update_elem(ro, &k, &v, 0), -EPERM);
	assert_int_equal(bpf_map_lookup_elem(ro, &k, &v), -ENOENT);
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	close(ro);
	close(fd);
}

static void test_directories_in_the_bpffs(void **state)
{
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);

	(void)state;
	assert_int_equal(bpfemu_bpffs_mkdir("/sys/fs/bpf/d"), 0);
	assert_int_equal(bpfemu_bpffs_mkdir("/sys/fs/bpf/d"), -EEXIST);
	assert_int_equal(bpfemu_bpffs_mkdir("/sys/fs/bpf/e/f"), -ENOENT);
	assert_int_equal(bpf_obj_pin(fd, "/sys/fs/bpf/d/m"), 0);
	assert_int_equal(bpf_obj_get("/sys/fs/bpf/d"), -EACCES);
	assert_int_equal(bpfemu_bpffs_unlink("/sys/fs/bpf/d"), -EISDIR);
	assert_int_equal(bpfemu_bpffs_rmdir("/sys/fs/bpf/d"), -ENOTEMPTY);
	assert_int_equal(bpfemu_bpffs_rmdir("/sys/fs/bpf/d/m"), -ENOTDIR);
	assert_int_equal(bpfemu_bpffs_unlink("/sys/fs/bpf/d/m"), 0);
	assert_int_equal(bpfemu_bpffs_rmdir("/sys/fs/bpf/d"), 0);
	assert_int_equal(bpfemu_bpffs_rmdir("/sys/fs/bpf/d"), -ENOENT);
	close(fd);
}

static void test_reset_drops_every_pin(void **state)
{
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);

	(void)state;
	assert_int_equal(bpf_obj_pin(fd, "/sys/fs/bpf/r1"), 0);
	assert_int_equal(bpf_obj_pin(fd, "/sys/fs/bpf/r2"), 0);
	close(fd);
	bpfemu_reset();
	assert_int_equal(bpfemu_bpffs_pin_count(), 0);
	assert_int_equal(bpfemu_live_objects(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pin_errors_as_the_kernel_gives_them),
		T(test_obj_get_errors_as_the_kernel_gives_them),
		T(test_pin_keeps_the_map_and_its_user_reference),
		T(test_obj_get_rdonly_fd_cannot_write),
		T(test_directories_in_the_bpffs),
		T(test_reset_drops_every_pin),
	};

	return cmocka_run_group_tests(tests, map_group_setup, map_group_teardown);
}
